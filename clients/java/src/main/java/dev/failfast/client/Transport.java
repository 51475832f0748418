package dev.failfast.client;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.MissingNode;

/**
 * JSON over HTTP to one service with one API key: what both clients share. An answer that
 * is not a {@code 2xx} becomes a {@link FailfastApiException}.
 */
final class Transport {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http;

    private final URI base;

    private final String apiKey;

    private final Duration requestTimeout;

    Transport(HttpClient http, URI base, String apiKey, Duration requestTimeout) {
        this.http = Objects.requireNonNull(http, "http");
        String root = Objects.requireNonNull(base, "base").toString();
        this.base = URI.create(root.endsWith("/") ? root : root + "/");
        this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
    }

    static HttpClient defaultHttpClient() {
        // HTTP/1.1: event streams and long polls stay on plain connections (no h2c upgrade).
        return HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    }

    URI uri(String path) {
        return base.resolve(path.startsWith("/") ? path.substring(1) : path);
    }

    /** GET; the answer's JSON. */
    JsonNode get(String path) throws IOException, InterruptedException {
        return send("GET", path, null, Map.of(), requestTimeout);
    }

    /** POST with a JSON body (null: none); the answer's JSON, a missing node for no body. */
    JsonNode post(String path, Object body) throws IOException, InterruptedException {
        return send("POST", path, body, Map.of(), requestTimeout);
    }

    JsonNode send(String method, String path, Object body, Map<String, String> headers, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = request(path, timeout).header("Accept", "application/json, application/problem+json");
        headers.forEach(request::header);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        else {
            String text = body instanceof String raw ? raw : JSON.writeValueAsString(body);
            request.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8));
        }
        HttpResponse<String> response = http.send(request.build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        if (response.statusCode() / 100 != 2) {
            throw problem(method, path, response.statusCode(), response.body());
        }
        String text = response.body();
        if (text == null || text.isBlank()) {
            return MissingNode.getInstance();
        }
        return JSON.readTree(text);
    }

    /**
     * Opens an event stream; a {@code 2xx} answer's lines, to be closed by the caller. Any other
     * answer is thrown as a {@link FailfastApiException}.
     */
    HttpResponse<Stream<String>> stream(String path, Map<String, String> headers)
            throws IOException, InterruptedException {
        // No request timeout: it would cut a stream that is quiet between keep-alives.
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path))
            .header("Authorization", "Bearer " + apiKey)
            .header("Accept", "text/event-stream");
        headers.forEach(request::header);
        HttpResponse<Stream<String>> response = http.send(request.GET().build(),
                HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() / 100 != 2) {
            StringBuilder body = new StringBuilder();
            try (Stream<String> lines = response.body()) {
                lines.limit(200).forEach(line -> body.append(line).append('\n'));
            }
            throw problem("GET", path, response.statusCode(), body.toString());
        }
        return response;
    }

    private HttpRequest.Builder request(String path, Duration timeout) {
        return HttpRequest.newBuilder(uri(path)).timeout(timeout).header("Authorization", "Bearer " + apiKey);
    }

    static FailfastApiException problem(String method, String path, int status, String body) {
        JsonNode problem;
        try {
            problem = body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        }
        catch (JacksonException notJson) {
            problem = JSON.createObjectNode();
        }
        if (!problem.isObject()) {
            problem = JSON.createObjectNode();
        }
        return new FailfastApiException(method, path, status, problem);
    }

    /** Percent-encodes one path segment (ids are UUIDs and job ids, which may hold anything). */
    static String segment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~') {
                out.append((char) c);
            }
            else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                    .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }

}
