package dev.failfast.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.failfast.ApiClient;
import dev.failfast.testing.TestKeys;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Credentials of {@code http} jobs stay secret: a secret reference is resolved at each
 * attempt and sent only to its hosts, for its tenants; literal sensitive headers, query
 * strings and user info are masked in every response, event, log line and cause; refused
 * references get a 400 that tells no tenant which secrets exist.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "failfast.engine.cancel-grace=1s", "failfast.shutdown.drain-timeout=1s",
                // Loopback test servers: today's override, and the SSRF policy's
                // settings.
                "failfast.jobs.http.allowed-networks=127.0.0.0/8", "failfast.jobs.http.allowed-ports=1024-65535",
                // A secret from a mounted directory, as docs/security.md tells operators
                // (a path
                // relative to the project, where tests run).
                "spring.config.import=configtree:src/test/resources/configtree/",
                "failfast.jobs.http.secrets.mounted.hosts=127.0.0.1",
                "failfast.jobs.http.secrets.mounted.allow-plain-http=true",
                "failfast.jobs.http.secrets.partner-api.hosts=127.0.0.1",
                "failfast.jobs.http.secrets.partner-api.tenants=default,secrets-team-a",
                "failfast.jobs.http.secrets.partner-api.allow-plain-http=true",
                "failfast.jobs.http.secrets.rotating.hosts=127.0.0.1",
                "failfast.jobs.http.secrets.rotating.allow-plain-http=true",
                "failfast.jobs.http.secrets.elsewhere.value=elsewhere-secret-HHHH8888",
                "failfast.jobs.http.secrets.elsewhere.hosts=*.example.com",
                "failfast.jobs.http.secrets.elsewhere.tenants=*",
                "failfast.jobs.http.secrets.https-only.value=https-only-secret-IIII9999",
                "failfast.jobs.http.secrets.https-only.hosts=127.0.0.1" })
class HttpSecretsTest {

    static final String LITERAL_TOKEN = "literal-token-AAAA1111";
    static final String SIGNATURE = "partner-sig-BBBB2222";
    static final String QUERY_TOKEN = "query-token-CCCC3333";
    static final String FILE_SECRET = "file-secret-DDDD4444";
    static final String MOUNTED_SECRET = "mounted-secret-FFFF6666";
    static final String PASSWORD = "userinfo-pass-GGGG7777";

    /** Every value that must not leave the service. */
    static final List<String> SECRETS = List.of(LITERAL_TOKEN, SIGNATURE, QUERY_TOKEN, FILE_SECRET, MOUNTED_SECRET,
            PASSWORD, "elsewhere-secret-HHHH8888", "https-only-secret-IIII9999");

    static final Path SECRET_DIR;

    static {
        try {
            SECRET_DIR = Files.createTempDirectory("failfast-secrets");
            Files.writeString(SECRET_DIR.resolve("partner-api"), FILE_SECRET + "\n");
            Files.writeString(SECRET_DIR.resolve("rotating"), "rotating-before-JJJJ0000");
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void secretFiles(DynamicPropertyRegistry registry) {
        registry.add("failfast.jobs.http.secrets.partner-api.file", () -> SECRET_DIR.resolve("partner-api"));
        registry.add("failfast.jobs.http.secrets.rotating.file", () -> SECRET_DIR.resolve("rotating"));
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    ApiClient admin;

    HttpServer target;

    /** What the target server received, in order. */
    final Queue<Received> received = new ConcurrentLinkedQueue<>();

    /** Holds the target's answers until the test opened its event streams. */
    final CountDownLatch gate = new CountDownLatch(1);

    record Received(String path, @Nullable String query, Map<String, String> headers) {
    }

    @BeforeEach
    void startTarget() throws IOException {
        admin = new ApiClient(port);
        target = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        target.createContext("/ok", exchange -> answer(exchange, 200, true));
        target.createContext("/fail", exchange -> answer(exchange, 500, true));
        target.createContext("/plain", exchange -> answer(exchange, 200, false));
        target.start();
    }

    @AfterEach
    void stopTarget() {
        gate.countDown();
        target.stop(0);
    }

    @Test
    void noCredentialLeavesTheServiceWhileTheTargetGetsEveryOne(CapturedOutput output) throws Exception {
        Map<String, Object> literal = http(
                "literal", url("/ok?token=" + QUERY_TOKEN + "&page=2"), headers("Authorization",
                        "Bearer " + LITERAL_TOKEN, "X-Partner-Sig", SIGNATURE, "Accept", "application/json"),
                Map.of("sensitiveHeaders", List.of("X-Partner-Sig")));
        Map<String, Object> reference = http("reference", url("/ok"),
                headers("Authorization", Map.of("secretRef", "partner-api", "prefix", "Bearer ")), Map.of());
        Map<String, Object> mounted = http("mounted", url("/ok"), headers("X-Api-Key", Map.of("secretRef", "mounted")),
                Map.of());
        Map<String, Object> failing = http(
                "failing", url("/fail?token=" + QUERY_TOKEN), headers("Authorization",
                        Map.of("secretRef", "partner-api", "prefix", "Bearer "), "Cookie", "session=" + LITERAL_TOKEN),
                Map.of());
        String succeeding = admin.submit(Map.of("jobs", List.of(literal, reference, mounted)));
        String failed = admin.submit(Map.of("jobs", List.of(failing)));
        Stream succeedingEvents = openStream(succeeding);
        Stream failedEvents = openStream(failed);

        gate.countDown();

        assertThat(admin.awaitTerminal(succeeding).get("state").asString()).isEqualTo("SUCCEEDED");
        JsonNode failedBatch = admin.awaitTerminal(failed);
        // The target got every credential.
        assertThat(received).anySatisfy(request -> {
            assertThat(request.query()).isEqualTo("token=" + QUERY_TOKEN + "&page=2");
            assertThat(request.headers()).containsEntry("Authorization", "Bearer " + LITERAL_TOKEN)
                .containsEntry("X-partner-sig", SIGNATURE);
        })
            .anySatisfy(
                    request -> assertThat(request.headers()).containsEntry("Authorization", "Bearer " + FILE_SECRET))
            .anySatisfy(request -> assertThat(request.headers()).containsEntry("X-api-key", MOUNTED_SECRET))
            .anySatisfy(request -> assertThat(request.path() + request.headers()).contains("/fail")
                .contains("Bearer " + FILE_SECRET));
        // Responses show masks and references.
        JsonNode shown = admin.job(succeeding, "literal").get("params");
        assertThat(shown.get("url").asString()).isEqualTo(url("/ok?token=***&page=***"));
        assertThat(shown.get("headers").get("Authorization").asString()).isEqualTo("***");
        assertThat(shown.get("headers").get("X-Partner-Sig").asString()).isEqualTo("***");
        assertThat(shown.get("headers").get("Accept").asString()).isEqualTo("application/json");
        assertThat(admin.job(succeeding, "reference").get("params").get("headers").get("Authorization"))
            .isEqualTo(ApiClient.parse("{\"secretRef\": \"partner-api\", \"prefix\": \"***\"}"));
        // Nothing secret anywhere a client or an operator reads.
        Map<String, String> shownBy = new LinkedHashMap<>();
        for (String batch : List.of(succeeding, failed)) {
            shownBy.put("GET batch " + batch, admin.get("/api/v1/batches/" + batch).body());
            shownBy.put("GET jobs of " + batch, admin.get("/api/v1/batches/" + batch + "/jobs").body());
        }
        for (String job : List.of("literal", "reference", "mounted")) {
            shownBy.put("GET job " + job, admin.get("/api/v1/batches/" + succeeding + "/jobs/" + job).body());
        }
        shownBy.put("GET job failing", admin.get("/api/v1/batches/" + failed + "/jobs/failing").body());
        List<Event> events = new ArrayList<>(succeedingEvents.events().get(30, TimeUnit.SECONDS));
        events.addAll(failedEvents.events().get(30, TimeUnit.SECONDS));
        assertThat(events).filteredOn(event -> event.name().equals("job"))
            .extracting(event -> event.data().get("id").asString())
            .contains("literal", "reference", "mounted", "failing");
        for (int i = 0; i < events.size(); i++) {
            shownBy.put("event " + i + " (" + events.get(i).name() + ")", events.get(i).data().toString());
        }
        JsonNode cause = failedBatch.get("cancellation");
        assertThat(cause.get("errorType").asString()).isEqualTo("HTTP_STATUS");
        assertThat(cause.get("message").asString()).isEqualTo("Unexpected HTTP status 500 from " + url("/fail"));
        await().untilAsserted(() -> assertThat(output.getOut()).contains("Batch " + failed + " FAILED"));
        shownBy.put("the log", output.getAll());
        shownBy.forEach((where, text) -> assertThat(text).as(where).doesNotContain(SECRETS));
        // Only references are stored.
        String storedReference = await().until(() -> storedParams(succeeding, "reference"), p -> p != null);
        assertThat(storedReference).contains("partner-api").doesNotContain(FILE_SECRET);
        assertThat(await().until(() -> storedParams(succeeding, "mounted"), p -> p != null))
            .doesNotContain(MOUNTED_SECRET);
    }

    @Test
    void aTargetThatEchoesTheCredentialDoesNotHandItBackInTheResult() throws Exception {
        target.createContext("/echo", exchange -> {
            String value = String.valueOf(exchange.getRequestHeaders().getFirst("Authorization"));
            String secret = value.substring("Bearer ".length());
            String body = "you sent " + value + "; base64 " + base64(value) + " and " + base64(secret) + "; url "
                    + java.net.URLEncoder.encode(value, StandardCharsets.UTF_8) + "; json {\"v\": \"" + secret + "\"}";
            exchange.getResponseHeaders().add("Content-Type", "text/plain; echo=\"" + value + "\"");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        String id = admin.submit(Map.of("jobs", List.of(http("echo", url("/echo"),
                headers("Authorization", Map.of("secretRef", "partner-api", "prefix", "Bearer ")), Map.of()))));

        assertThat(admin.awaitTerminal(id).get("state").asString()).isEqualTo("SUCCEEDED");
        JsonNode result = admin.job(id, "echo").get("result");
        assertThat(result.get("body").asString()).startsWith("you sent ***; base64 *** and ***; url ***; json");
        assertThat(result.get("contentType").asString()).isEqualTo("text/plain; echo=\"***\"");
        String shown = admin.get("/api/v1/batches/" + id + "/jobs/echo").body()
                + admin.get("/api/v1/batches/" + id + "/jobs").body();
        assertThat(shown).doesNotContain(FILE_SECRET, base64(FILE_SECRET), base64("Bearer " + FILE_SECRET));
    }

    private static String base64(String text) {
        return java.util.Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aRotatedSecretIsUsedByTheNextAttempt() throws Exception {
        Path file = SECRET_DIR.resolve("rotating");
        var firstAttemptArrived = new CountDownLatch(1);
        var rotated = new CountDownLatch(1);
        target.createContext("/flaky", exchange -> {
            String value = exchange.getRequestHeaders().getFirst("Authorization");
            received.add(new Received("/flaky", null, Map.of("Authorization", String.valueOf(value))));
            boolean first = firstAttemptArrived.getCount() > 0;
            firstAttemptArrived.countDown();
            if (first) {
                hold(rotated);
            }
            respond(exchange, first ? 500 : 200);
        });
        String id = admin.submit(Map.of("jobs", List.of(Map.of("id", "rotating", "type", "http", "retry",
                Map.of("maxAttempts", 2, "backoff", "PT0.1S"), "params",
                Map.of("url", url("/flaky"), "headers", Map.of("Authorization", Map.of("secretRef", "rotating")))))));
        assertThat(firstAttemptArrived.await(30, TimeUnit.SECONDS)).isTrue();

        Files.writeString(file, "rotating-after-KKKK1111");
        rotated.countDown();

        assertThat(admin.awaitTerminal(id).get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(received).extracting(request -> request.headers().get("Authorization"))
            .containsExactly("rotating-before-JJJJ0000", "rotating-after-KKKK1111");
    }

    @Test
    void anUnknownReferenceAndOneOfAnotherTenantGetTheSameRefusal() {
        ApiClient teamA = admin.withNewKey("secrets-team-a", "batches:read", "batches:write");
        ApiClient teamB = admin.withNewKey("secrets-team-b", "batches:read", "batches:write");
        Map<String, Object> partnerCall = Map.of("jobs", List
            .of(http("call", url("/plain"), headers("Authorization", Map.of("secretRef", "partner-api")), Map.of())));

        ApiClient.Response unknown = teamB.post("/api/v1/batches", Map.of("jobs", List.of(http("call", url("/plain"),
                headers("Authorization", Map.of("secretRef", "no-such-secret")), Map.of()))));
        ApiClient.Response notTheirs = teamB.post("/api/v1/batches", partnerCall);

        assertRefused(unknown, "jobs[0].params.headers.Authorization", "no secret 'no-such-secret' is available");
        assertRefused(notTheirs, "jobs[0].params.headers.Authorization", "no secret 'partner-api' is available");
        assertThat(message(notTheirs).replace("partner-api", "NAME"))
            .isEqualTo(message(unknown).replace("no-such-secret", "NAME"));
        String allowed = teamA.submit(partnerCall);
        assertThat(teamA.awaitTerminal(allowed).get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(received).extracting(request -> request.headers().get("Authorization")).contains(FILE_SECRET);
    }

    @Test
    void aReferenceIsRefusedForAHostOrSchemeItMayNotBeSentTo() {
        ApiClient.Response otherHost = admin.post("/api/v1/batches", Map.of("jobs", List
            .of(http("call", url("/plain"), headers("X-Api-Key", Map.of("secretRef", "elsewhere")), Map.of()))));
        ApiClient.Response plainHttp = admin.post("/api/v1/batches", Map.of("jobs", List
            .of(http("call", url("/plain"), headers("X-Api-Key", Map.of("secretRef", "https-only")), Map.of()))));

        assertRefused(otherHost, "jobs[0].params.headers.X-Api-Key",
                "secret 'elsewhere' may not be sent to host 127.0.0.1");
        assertRefused(plainHttp, "jobs[0].params.headers.X-Api-Key", "secret 'https-only' may only be sent over https");
        assertThat(received).isEmpty();
    }

    @Test
    void userInfoInTheUrlIsRefusedWithoutEchoingIt(CapturedOutput output) {
        ApiClient.Response response = admin.post("/api/v1/batches",
                Map.of("jobs",
                        List.of(http("call",
                                "http://bob:" + PASSWORD + "@127.0.0.1:" + target.getAddress().getPort() + "/plain",
                                Map.of(), Map.of()))));

        assertRefused(response, "jobs[0].params.url", "must not hold credentials");
        assertThat(response.body() + output.getAll()).doesNotContain(PASSWORD);
    }

    @Test
    void malformedHeadersAreRefusedWithoutEchoingTheirValues() {
        ApiClient.Response response = admin.post("/api/v1/batches", Map.of("jobs", List.of(
                http("a", url("/plain"), headers("Authorization", Map.of("secretRef", 7)), Map.of()),
                http("b", url("/plain"),
                        headers("Authorization", Map.of("secretRef", "partner-api", "value", LITERAL_TOKEN)), Map.of()),
                http("c", url("/plain"), headers("Authorization", List.of(LITERAL_TOKEN)), Map.of()),
                http("d", url("/plain"), headers("X-Api-Key", LITERAL_TOKEN + "\nX-Injected: 1"), Map.of()))));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("errors").valueStream().map(e -> e.get("field").asString())).containsExactly(
                "jobs[0].params.headers.Authorization", "jobs[1].params.headers.Authorization",
                "jobs[2].params.headers.Authorization", "jobs[3].params.headers.X-Api-Key");
        assertThat(response.json().get("errors").get(1).get("message").asString()).contains("unknown field 'value'");
        assertThat(response.body()).doesNotContain(LITERAL_TOKEN);
    }

    private void answer(HttpExchange exchange, int status, boolean gated) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name, values.getFirst()));
        received.add(new Received(exchange.getRequestURI().getPath(), exchange.getRequestURI().getRawQuery(), headers));
        if (gated) {
            hold(gate);
        }
        respond(exchange, status);
    }

    private static void respond(HttpExchange exchange, int status) throws IOException {
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    private static void hold(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void assertRefused(ApiClient.Response response, String field, String message) {
        assertThat(response.status()).as(response.body()).isEqualTo(400);
        JsonNode errors = response.json().get("errors");
        assertThat(errors.size()).as(response.body()).isEqualTo(1);
        assertThat(errors.get(0).get("field").asString()).isEqualTo(field);
        assertThat(errors.get(0).get("message").asString()).contains(message);
    }

    private static String message(ApiClient.Response response) {
        return response.json().get("errors").get(0).get("message").asString();
    }

    private @Nullable String storedParams(String batchId, String jobId) {
        return jdbc.sql("SELECT params FROM job WHERE batch_id = ? AND id = ?")
            .params(java.util.UUID.fromString(batchId), jobId)
            .query(String.class)
            .optional()
            .orElse(null);
    }

    private String url(String pathAndQuery) {
        return "http://127.0.0.1:" + target.getAddress().getPort() + pathAndQuery;
    }

    private static Map<String, Object> headers(Object... namesAndValues) {
        Map<String, Object> headers = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return headers;
    }

    private static Map<String, Object> http(String id, String url, Map<String, Object> headers,
            Map<String, Object> more) {
        Map<String, Object> params = new LinkedHashMap<>(more);
        params.put("url", url);
        params.put("headers", headers);
        return Map.of("id", id, "type", "http", "params", params);
    }

    record Event(String name, JsonNode data) {
    }

    /** An open event stream: its events once the server has closed it. */
    record Stream(CompletableFuture<List<Event>> events) {
    }

    /** Opens a batch's event stream and returns once its first event has arrived. */
    private Stream openStream(String batchId) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(admin.uri("/api/v1/batches/" + batchId + "/events"))
            .header("Accept", "text/event-stream")
            .header("Authorization", "Bearer " + TestKeys.ADMIN)
            .timeout(Duration.ofSeconds(60))
            .build();
        var opened = new CountDownLatch(1);
        CompletableFuture<List<Event>> events = HttpClient.newHttpClient()
            .sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
            .thenApplyAsync(response -> {
                assertThat(response.statusCode()).isEqualTo(200);
                List<Event> read = new ArrayList<>();
                try (var reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                    String name = null;
                    StringBuilder data = new StringBuilder();
                    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                        if (line.isEmpty() && name != null) {
                            read.add(new Event(name, ApiClient.parse(data.toString())));
                            opened.countDown();
                            name = null;
                            data.setLength(0);
                        }
                        else if (line.startsWith("event:")) {
                            name = line.substring(6).strip();
                        }
                        else if (line.startsWith("data:")) {
                            data.append(line.substring(5));
                        }
                    }
                }
                catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return read;
            });
        assertThat(opened.await(30, TimeUnit.SECONDS)).as("the stream's first event").isTrue();
        return new Stream(events);
    }

}
