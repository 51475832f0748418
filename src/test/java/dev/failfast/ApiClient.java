package dev.failfast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.testing.TestKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Talks to the service over real HTTP, as a client would. */
public final class ApiClient {

    public static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newHttpClient();

    private final URI base;

    private final @Nullable String key;

    /** A client that sends the tests' admin key, {@link TestKeys#ADMIN}. */
    public ApiClient(int port) {
        this(port, TestKeys.ADMIN);
    }

    /** A client that sends {@code key} as its bearer token, or nothing for null. */
    public ApiClient(int port, @Nullable String key) {
        this.base = URI.create("http://localhost:" + port);
        this.key = key;
    }

    /** The same service, called with another key (null: with none). */
    public ApiClient as(@Nullable String otherKey) {
        return new ApiClient(base.getPort(), otherKey);
    }

    public URI uri(String path) {
        return base.resolve(path);
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).GET());
    }

    public Response delete(String path) {
        return send(HttpRequest.newBuilder(uri(path)).DELETE());
    }

    public Response post(String path, Object body) {
        String text = body instanceof String s ? s : JSON.writeValueAsString(body);
        return send(HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(text)));
    }

    public Response send(HttpRequest.Builder request) {
        if (key != null) {
            request.setHeader("Authorization", "Bearer " + key);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers(), response.body());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Submits a batch, expects 202, returns its id. */
    public String submit(Object batch) {
        Response response = post("/api/v1/batches", batch);
        assertThat(response.status()).as(response.body()).isEqualTo(202);
        return response.json().get("id").asString();
    }

    /**
     * Creates an API key of {@code tenant} with {@code scopes} (this client's key must be
     * an admin's), expects 201; the result holds its {@code id} and the {@code key}.
     */
    public JsonNode createKey(String tenant, String... scopes) {
        Response response = post("/api/v1/api-keys",
                Map.of("name", "test-" + tenant, "tenant", tenant, "scopes", List.of(scopes)));
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    public JsonNode batch(String id) {
        Response response = get("/api/v1/batches/" + id);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    public JsonNode job(String batchId, String jobId) {
        Response response = get("/api/v1/batches/" + batchId + "/jobs/" + jobId);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    /** Every job of a batch, in submission order. */
    public List<JsonNode> jobs(String batchId) {
        JsonNode page = get("/api/v1/batches/" + batchId + "/jobs?size=1000").json();
        assertThat(page.get("page").get("totalPages").asInt()).isLessThanOrEqualTo(1);
        return page.get("content").valueStream().toList();
    }

    public JsonNode awaitTerminal(String id) {
        return awaitTerminal(id, Duration.ofSeconds(30));
    }

    public JsonNode awaitTerminal(String id, Duration atMost) {
        return await().atMost(atMost)
            .pollInterval(Duration.ofMillis(20))
            .until(() -> batch(id), batch -> TERMINAL.contains(batch.get("state").asString()));
    }

    public JsonNode awaitState(String id, String state) {
        return await().atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> batch(id), batch -> batch.get("state").asString().equals(state));
    }

    /**
     * Creates an API key of {@code tenant} with {@code scopes} (this client needs the
     * admin scope) and returns a client that sends it.
     */
    public ApiClient withNewKey(String tenant, String... scopes) {
        return as(createKey(tenant, scopes).get("key").asString());
    }

    /** The key this client sends, or null. */
    public @Nullable String key() {
        return key;
    }

    public static String json(Object value) {
        return JSON.writeValueAsString(value);
    }

    public static JsonNode parse(String json) {
        return JSON.readTree(json);
    }

    /** A {@code sleep} job. */
    public static Map<String, Object> sleep(String id, String duration, Map<String, Object> extraParams) {
        var params = new java.util.LinkedHashMap<String, Object>(extraParams);
        params.put("duration", duration);
        return Map.of("id", id, "type", "sleep", "params", params);
    }

    public static Map<String, Object> sleep(String id, String duration) {
        return sleep(id, duration, Map.of());
    }

    public record Response(int status, HttpHeaders headers, String body) {

        public JsonNode json() {
            return JSON.readTree(body);
        }

        public String contentType() {
            return headers.firstValue("content-type").orElse("");
        }
    }

}
