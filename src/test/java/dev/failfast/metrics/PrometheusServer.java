package dev.failfast.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.testing.TestKeys;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import tools.jackson.databind.JsonNode;

/**
 * A real Prometheus (Debian package {@code prometheus}) started as a child process on a
 * free port, with its data in a temporary directory, scraping one Failfast instance every
 * two seconds and evaluating the given rule file.
 */
final class PrometheusServer implements AutoCloseable {

    static final String NAMESPACE = "failfast-test";

    private final Process process;

    private final Path log;

    private final URI base;

    private final HttpClient http = HttpClient.newHttpClient();

    private PrometheusServer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.base = URI.create("http://127.0.0.1:" + port);
    }

    /**
     * Starts Prometheus, or skips the calling test when it is not installed, unless
     * {@code CI=true}: CI installs it, so there a missing binary is a failure.
     */
    static PrometheusServer start(Path workDir, int failfastPort, Path ruleFile) throws IOException {
        Optional<Path> binary = findOnPath("prometheus");
        if (binary.isEmpty()) {
            assertThat("true".equals(System.getenv("CI")))
                .as("CI=true but the prometheus binary is not on the PATH (.ci/run installs Debian's prometheus)")
                .isFalse();
            Assumptions.abort("prometheus is not installed (apt-get install prometheus); set CI=true to require it");
        }
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = workDir.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 2s
                  scrape_timeout: 2s
                  evaluation_interval: 1s
                rule_files:
                  - %s
                scrape_configs:
                  - job_name: failfast
                    metrics_path: /actuator/prometheus
                    authorization:
                      credentials: %s
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                        labels:
                          namespace: %s
                """.formatted(ruleFile.toAbsolutePath(), TestKeys.ADMIN, failfastPort, NAMESPACE));
        Path log = workDir.resolve("prometheus.log");
        Process process = new ProcessBuilder(binary.get().toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + workDir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        var server = new PrometheusServer(process, log, port);
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                assertThat(process.isAlive()).as("prometheus exited: %s", server.log()).isTrue();
                assertThat(server.get("/-/ready").statusCode()).isEqualTo(200);
            });
        }
        catch (RuntimeException | AssertionError e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** The instance label Prometheus gives the Failfast target. */
    static String instance(int failfastPort) {
        return "127.0.0.1:" + failfastPort;
    }

    /**
     * Waits until two scrapes that started after this call succeeded, so that every
     * series, even one created just before, has two samples for {@code rate}.
     */
    void awaitTwoScrapes() {
        Instant first = awaitScrapeAfter(Instant.now());
        awaitScrapeAfter(first);
    }

    /**
     * Waits until a scrape that started after {@code after} succeeded; returns when it
     * started.
     */
    Instant awaitScrapeAfter(Instant after) {
        JsonNode target = await().atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> api("/api/v1/targets").get("activeTargets").get(0),
                    t -> t.get("health").asString().equals("up")
                            && Instant.parse(t.get("lastScrape").asString()).isAfter(after));
        return Instant.parse(target.get("lastScrape").asString());
    }

    /**
     * Runs an instant query; returns the {@code data} object, or throws with Prometheus'
     * error.
     */
    JsonNode query(String promql) {
        return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
    }

    /** A {@code data} of a successful API call. */
    JsonNode api(String pathAndQuery) {
        HttpResponse<String> response = get(pathAndQuery);
        JsonNode body = ApiClient.parse(response.body());
        if (response.statusCode() != 200 || !"success".equals(body.get("status").asString())) {
            throw new IllegalStateException(pathAndQuery + " → " + response.statusCode() + " " + response.body());
        }
        return body.get("data");
    }

    String log() {
        try {
            return Files.readString(log);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<String> get(String pathAndQuery) {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve(pathAndQuery)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static Optional<Path> findOnPath(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        return Stream.concat(Stream.of(path.split(File.pathSeparator)), List.of("/usr/bin", "/usr/local/bin").stream())
            .filter(dir -> !dir.isEmpty())
            .map(dir -> Path.of(dir, name))
            .filter(Files::isExecutable)
            .findFirst();
    }

}
