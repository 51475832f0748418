package dev.failfast.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import dev.failfast.testing.TestKeys;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/** The {@code http} job type against real local servers. */
@FailfastServerTest
class HttpJobTest {

    @LocalServerPort
    int port;

    ApiClient client;

    HttpServer server;

    @BeforeEach
    void setUp() throws IOException {
        client = new ApiClient(port);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/ok", exchange -> {
            byte[] body = "{\"hello\": \"world\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/echo", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("X-Method", exchange.getRequestMethod());
            exchange.sendResponseHeaders(201, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/origin", exchange -> {
            byte[] body = String.valueOf(exchange.getRequestHeaders().getFirst(HttpLoopMarker.HEADER))
                .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/broken", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void tearDown() {
        server.stop(0);
    }

    @Test
    void aSuccessfulRequestKeepsStatusAndBody() {
        String id = client.submit(Map.of("jobs", List.of(http("get", Map.of("url", url("/ok"))))));

        assertThat(client.awaitTerminal(id).get("state").asString()).isEqualTo("SUCCEEDED");
        JsonNode result = client.job(id, "get").get("result");
        assertThat(result.get("status").asInt()).isEqualTo(200);
        assertThat(result.get("contentType").asString()).isEqualTo("application/json");
        assertThat(result.get("body").asString()).isEqualTo("{\"hello\": \"world\"}");
        assertThat(result.get("truncated").asBoolean()).isFalse();
    }

    @Test
    void methodHeadersAndBodyAreSentAndExpectedStatusIsChecked() {
        String id = client.submit(Map.of("jobs", List.of(http("post", Map.of("url", url("/echo"), "method", "POST",
                "headers", Map.of("X-Trace", "1"), "body", Map.of("n", 1), "expectStatus", List.of(201))))));

        assertThat(client.awaitTerminal(id).get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(ApiClient.parse(client.job(id, "post").get("result").get("body").asString()).get("n").asInt())
            .isEqualTo(1);
    }

    @Test
    void anUnexpectedStatusFailsTheJobWithHttpStatus() {
        String id = client.submit(Map.of("jobs", List.of(http("down", Map.of("url", url("/broken"))))));

        JsonNode batch = client.awaitTerminal(id);

        assertThat(batch.get("cancellation").get("errorType").asString()).isEqualTo("HTTP_STATUS");
        assertThat(client.job(id, "down").get("error").get("message").asString()).contains("503");
    }

    @Test
    void aRefusedConnectionFailsTheJobWithIo() throws IOException {
        int closedPort;
        try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String id = client
            .submit(Map.of("jobs", List.of(http("refused", Map.of("url", "http://127.0.0.1:" + closedPort + "/")))));

        client.awaitTerminal(id);

        assertThat(client.job(id, "refused").get("error").get("type").asString()).isEqualTo("IO");
    }

    @Test
    void aDeniedAddressIsRefusedAtSubmission() {
        ApiClient.Response response = client.post("/api/v1/batches",
                Map.of("jobs", List.of(http("metadata", Map.of("url", "http://169.254.169.254/latest/meta-data/")))));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("errors").get(0).get("message").asString()).contains("denied network");
    }

    @Test
    void cancellingTheBatchAbortsTheInFlightRequest() throws Exception {
        try (var hanging = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            var requestReceived = new CountDownLatch(1);
            CompletableFuture<Integer> serverSawClose = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = hanging.accept()) {
                    InputStream in = socket.getInputStream();
                    byte[] buffer = new byte[8192];
                    int n = in.read(buffer);
                    requestReceived.countDown();
                    while (n >= 0) { // never answer; wait for the client to close the
                                     // connection
                        n = in.read(buffer);
                    }
                    return n;
                }
                catch (IOException e) {
                    return -2; // reset by the client: also a closed connection
                }
            });
            String id = client.submit(Map.of("jobs", List.of(http("slow",
                    Map.of("url", "http://127.0.0.1:" + hanging.getLocalPort() + "/slow", "timeout", "PT60S")))));
            assertThat(requestReceived.await(30, TimeUnit.SECONDS)).isTrue();

            client.post("/api/v1/batches/" + id + "/cancel", Map.of("reason", "test"));

            assertThat(serverSawClose.get(30, TimeUnit.SECONDS)).isLessThan(0);
            JsonNode batch = client.awaitTerminal(id);
            assertThat(batch.get("state").asString()).isEqualTo("CANCELLED");
            JsonNode job = client.job(id, "slow");
            assertThat(job.get("state").asString()).isEqualTo("CANCELLED");
            assertThat(job.get("abandoned").asBoolean()).isFalse();
        }
    }

    @Test
    // The silent server only has to hold the connection.
    @SuppressWarnings("FutureReturnValueIgnored")
    void aRequestTimeoutFailsTheJobWithTimeout() throws Exception {
        try (var hanging = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> {
                try (Socket socket = hanging.accept()) {
                    socket.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                }
                catch (IOException ignored) {
                    // the client gave up: expected
                }
            });
            String id = client.submit(Map.of("jobs", List.of(http("slow",
                    Map.of("url", "http://127.0.0.1:" + hanging.getLocalPort() + "/", "timeout", "PT0.3S")))));

            client.awaitTerminal(id);

            await().untilAsserted(
                    () -> assertThat(client.job(id, "slow").get("error").get("type").asString()).isEqualTo("TIMEOUT"));
        }
    }

    @Test
    void everyRequestCarriesTheLoopMarkerNamingItsBatchAndJob() {
        String id = client.submit(Map.of("jobs", List.of(http("marked", Map.of("url", url("/origin"))))));

        assertThat(client.awaitTerminal(id).get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(client.job(id, "marked").get("result").get("body").asString()).isEqualTo(id + "/marked");
    }

    @Test
    void aJobCallingFailfastItselfIsRefusedAndCreatesNothing() {
        // The operator opened loopback and its ports (FailfastServerTest), so the address
        // alone does not stop a job from reaching this service: the loop marker does.
        String marker = java.util.UUID.randomUUID().toString();
        Map<String, Object> inner = Map.of("labels", Map.of("multiplied", marker), "jobs",
                List.of(ApiClient.sleep("s", "PT0S")));
        String id = client.submit(Map.of("jobs",
                List.of(http("self",
                        Map.of("url", "http://127.0.0.1:" + port + "/api/v1/batches", "method", "POST", "headers",
                                Map.of("Authorization", "Bearer " + TestKeys.ADMIN), "body", inner, "expectStatus",
                                List.of(202))))));

        client.awaitTerminal(id);

        JsonNode error = client.job(id, "self").get("error");
        assertThat(error.get("type").asString()).isEqualTo("HTTP_STATUS");
        assertThat(error.get("message").asString()).contains("508");
        assertThat(client.get("/api/v1/batches?label=multiplied:" + marker)
            .json()
            .get("page")
            .get("totalElements")
            .asLong()).isZero();
    }

    @Test
    void aRequestCarryingTheLoopMarkerIs508BeforeAuthentication() {
        ApiClient.Response response = new ApiClient(port, null)
            .send(java.net.http.HttpRequest.newBuilder(client.uri("/api/v1/batches"))
                .header(HttpLoopMarker.HEADER, "01a23203-9118-77a0-85e7-b4e6677bf994/job")
                .GET());

        assertThat(response.status()).isEqualTo(508);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("type").asString()).isEqualTo("https://failfast.dev/problems/loop-detected");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|',
            textBlock = """
                    loop marker      | {"url": "https://example.com/", "headers": {"failfast-origin": "x"}}  | jobs[0].params.headers | may not set
                    host header      | {"url": "https://example.com/", "headers": {"Host": "internal"}}      | jobs[0].params.headers | may not set
                    header injection | {"url": "https://example.com/", "headers": {"X-A": "a\\r\\nHost: b"}} | jobs[0].params.headers | line breaks
                    user info        | {"url": "https://user:hunter2@example.com/"}                           | jobs[0].params.url     | must not hold credentials
                    private address  | {"url": "http://10.0.0.1/"}                                            | jobs[0].params.url     | not a globally routable
                    CGNAT address    | {"url": "http://100.64.0.1/"}                                          | jobs[0].params.url     | not a globally routable
                    Azure wireserver | {"url": "http://168.63.129.16/"}                                       | jobs[0].params.url     | denied network
                    mapped metadata  | {"url": "http://[::ffff:169.254.169.254]/"}                            | jobs[0].params.url     | denied network
                    decimal loopback | {"url": "http://2130706433/"}                                          | jobs[0].params.url     | numeric host
                    SSH port         | {"url": "http://93.184.215.14:22/"}                                    | jobs[0].params.url     | port 22
                    """)
    void refusedTargetsAre400NamingTheParam(String name, String params, String field, String message) {
        ApiClient.Response response = client.post("/api/v1/batches",
                "{\"jobs\": [{\"id\": \"a\", \"type\": \"http\", \"params\": " + params + "}]}");

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode error = response.json().get("errors").get(0);
        assertThat(error.get("field").asString()).startsWith(field);
        assertThat(error.get("message").asString()).contains(message);
        assertThat(response.body()).doesNotContain("hunter2");
    }

    @Test
    void errorMessagesNeverShowTheQueryString() {
        String id = client.submit(Map.of("jobs", List.of(http("down", Map.of("url", url("/broken?token=s3cr3t"))))));

        client.awaitTerminal(id);

        JsonNode error = client.job(id, "down").get("error");
        assertThat(error.get("message").asString()).contains("/broken").doesNotContain("s3cr3t");
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static Map<String, Object> http(String id, Map<String, Object> params) {
        return Map.of("id", id, "type", "http", "params", params);
    }

}
