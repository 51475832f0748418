package dev.failfast.it;

import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.testing.TestKeys;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The built service jar, run as a separate process on a given data directory, and HTTP to
 * it.
 */
final class ServiceProcess implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Process process;

    private final int port;

    private final String base;

    private ServiceProcess(Process process, int port) {
        this.process = process;
        this.port = port;
        this.base = "http://127.0.0.1:" + port;
    }

    /**
     * Starts the jar with its data (H2 file) in {@code dataDir} and waits until it is
     * ready.
     */
    static ServiceProcess start(Path dataDir, String... args) throws IOException {
        List<String> command = new ArrayList<>(
                List.of("--spring.datasource.url=jdbc:h2:file:" + dataDir.resolve("failfast") + ";WRITE_DELAY=0"));
        command.addAll(List.of(args));
        return launch(dataDir.resolve("service.log"), command);
    }

    /**
     * Starts the jar as a cluster replica on PostgreSQL schema {@code schema} of the test
     * database, logging to {@code log}, and waits until it is ready.
     */
    static ServiceProcess startReplica(Path log, String schema, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("--spring.profiles.active=postgres",
                "--spring.datasource.url=jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + schema,
                "--failfast.cluster.enabled=true"));
        command.addAll(List.of(args));
        return launch(log, command);
    }

    /**
     * A client of this process that sends {@code key} as its bearer token, or none for
     * null; the other methods send the tests' admin key.
     */
    ApiClient as(@Nullable String key) {
        return new ApiClient(port, key);
    }

    /** A request to {@code path} with the tests' admin key, as a client sends it. */
    private HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + TestKeys.ADMIN);
    }

    private static ServiceProcess launch(Path log, List<String> args) throws IOException {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar",
                jar().toString(), "--server.port=" + port, "--" + TestKeys.BOOTSTRAP_PROPERTY));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
        var service = new ServiceProcess(process, port);
        await().atMost(Duration.ofMinutes(3))
            .pollInterval(Duration.ofMillis(250))
            .until(() -> !process.isAlive() || service.status("/actuator/health/readiness") == 200);
        if (!process.isAlive()) {
            throw new IllegalStateException("The service exited at startup; see " + log);
        }
        return service;
    }

    private static Path jar() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("target"))) {
            return files.filter(p -> p.getFileName().toString().matches("failfast-.*\\.jar"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("No jar in target/: run the package phase first"));
        }
    }

    JsonNode post(String path, String body) {
        return send(authorized(path).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** POST with an {@code Idempotency-Key} header. */
    JsonNode post(String path, String body, String idempotencyKey) {
        return send(authorized(path).header("Content-Type", "application/json")
            .header("Idempotency-Key", idempotencyKey)
            .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /** The lines of a response read as they arrive, such as an event stream's. */
    Stream<String> lines(String path) throws IOException, InterruptedException {
        return HTTP.send(authorized(path).GET().build(), HttpResponse.BodyHandlers.ofLines()).body();
    }

    /** A GET's body as text, such as the Prometheus scrape. */
    String text(String path) {
        return body(authorized(path).GET());
    }

    JsonNode get(String path) {
        return send(authorized(path).GET());
    }

    int status(String path) {
        try {
            return HTTP.send(authorized(path).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        catch (IOException e) {
            return -1;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static JsonNode send(HttpRequest.Builder request) {
        return JSON.readTree(body(request));
    }

    private static String body(HttpRequest.Builder request) {
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString()).body();
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL: the process gets no chance to write anything. */
    void killHard() {
        process.destroyForcibly();
        try {
            process.waitFor();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** SIGTERM, then waits until the process exited; returns its exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        return process.waitFor();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            killHard();
        }
    }

}
