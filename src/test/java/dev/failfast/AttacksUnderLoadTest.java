package dev.failfast;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The "done when": while one tenant runs every attack at once, over real HTTP
 * with its own key, another tenant's batches still run to the end, its reads answer, and
 * the health probes stay up. The attacks: SSRF targets in every form, a job aimed at the
 * service itself, jobs held by a target that never answers, event streams beyond the cap,
 * a retry storm, deep pages. The attacker's limits are the ones an operator of a shared
 * service sets (a share of the pool per tenant, a cap on streams per tenant).
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "failfast.executor.pool-size=8", "failfast.tenants.defaults.max-running-jobs=4",
                "failfast.streams.max-open-per-tenant=3", "failfast.engine.cancel-grace=1s",
                "failfast.jobs.http.allowed-networks=127.0.0.0/8", "failfast.jobs.http.allowed-ports=1024-65535" })
class AttacksUnderLoadTest {

    @LocalServerPort
    int port;

    ApiClient mallory;

    ApiClient alice;

    HttpServer stalling;

    final CountDownLatch release = new CountDownLatch(1);

    final AtomicInteger stalled = new AtomicInteger();

    final List<SseClient> streams = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void tenantsAndATargetThatNeverAnswers() throws IOException {
        ApiClient admin = new ApiClient(port);
        mallory = admin.withNewKey("mallory", "batches:read", "batches:write", "batches:cancel");
        alice = admin.withNewKey("alice", "batches:read", "batches:write");
        stalling = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        stalling.setExecutor(Executors.newCachedThreadPool());
        stalling.createContext("/", exchange -> {
            stalled.incrementAndGet();
            try {
                release.await();
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        stalling.start();
    }

    @AfterEach
    void stop() {
        streams.forEach(SseClient::close);
        release.countDown();
        stalling.stop(0);
    }

    @Test
    void anotherTenantIsServedWhileOneTenantAttacks() {
        // A job aimed at the service itself is refused by the service, and makes no
        // batch.
        ApiClient.Response loop = mallory.post("/api/v1/batches",
                Map.of("jobs",
                        List.of(Map.of("id", "self", "type", "http", "params",
                                Map.of("url", "http://127.0.0.1:" + port + "/api/v1/batches", "method", "POST",
                                        "headers", Map.of("Authorization", "Bearer " + mallory.key()), "body",
                                        Map.of("jobs", List.of()))))));
        assertThat(loop.status()).isEqualTo(202);

        String loopBatch = loop.json().get("id").asString();
        JsonNode looped = mallory.awaitTerminal(loopBatch);
        assertThat(looped.get("state").asString()).isEqualTo("FAILED");
        assertThat(looped.get("cancellation").get("errorType").asString()).isEqualTo("HTTP_STATUS");
        assertThat(looped.get("cancellation").get("message").asString()).contains("508");
        assertThat(mallory.get("/api/v1/batches?size=1000").json().get("page").get("totalElements").asLong())
            .isEqualTo(1);

        // Jobs that hold their threads against a target that never answers: the tenant's
        // share of the pool, no more.
        String held = mallory.submit(Map.of("maxParallelism", 50, "jobs", IntStream.range(0, 50)
            .mapToObj(i -> Map.of("id", "held-" + i, "type", "http", "params",
                    Map.of("url", "http://127.0.0.1:" + stalling.getAddress().getPort() + "/", "timeout", "PT10M")))
            .toList()));
        await().until(() -> stalled.get() == 4);

        // SSRF in every form is refused at submission.
        for (String url : List.of("http://10.0.0.1/", "http://169.254.169.254/latest/meta-data/",
                "http://[::ffff:169.254.169.254]/", "http://[fd00:ec2::254]/", "http://2130706433/",
                "http://168.63.129.16/", "http://93.184.215.14:22/")) {
            ApiClient.Response refused = mallory.post("/api/v1/batches",
                    Map.of("jobs", List.of(Map.of("id", "a", "type", "http", "params", Map.of("url", url)))));
            assertThat(refused.status()).as(url + ": " + refused.body()).isEqualTo(400);
        }
        // A retry storm and deep pages are refused.
        ApiClient.Response storm = mallory.post("/api/v1/batches",
                Map.of("jobs",
                        IntStream.range(0, 100)
                            .mapToObj(i -> Map.of("id", "r-" + i, "type", "sleep", "params", Map.of("duration", "PT0S"),
                                    "retry", Map.of("maxAttempts", 100, "backoff", "PT0S")))
                            .toList()));
        assertThat(storm.status()).as(storm.body()).isEqualTo(400);
        assertThat(mallory.get("/api/v1/batches?page=100000000&size=1000").status()).isEqualTo(400);

        // Streams up to the tenant's cap, then 429.
        for (int i = 0; i < 3; i++) {
            SseClient stream = SseClient.open(mallory, held);
            streams.add(stream);
            assertThat(stream.status()).isEqualTo(200);
        }
        SseClient refusedStream = SseClient.open(mallory, held);
        streams.add(refusedStream);
        assertThat(refusedStream.status()).isEqualTo(429);

        // Meanwhile the other tenant's work runs to the end and the probes answer.
        String work = alice
            .submit(Map.of("jobs", IntStream.range(0, 10).mapToObj(i -> sleep("w-" + i, "PT0.01S")).toList()));
        assertThat(alice.awaitTerminal(work).get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(alice.get("/api/v1/batches").status()).isEqualTo(200);
        SseClient aliceStream = SseClient.open(alice, work);
        streams.add(aliceStream);
        assertThat(aliceStream.status()).isEqualTo(200);
        assertThat(probe("/actuator/health/liveness")).isEqualTo(200);
        assertThat(probe("/actuator/health/readiness")).isEqualTo(200);

        // The attacker never held more than its share, and every refused batch left
        // nothing.
        assertThat(stalled.get()).isEqualTo(4);
        assertThat(mallory.batch(held).get("counts").get("running").asInt()).isEqualTo(4);
        assertThat(mallory.get("/api/v1/batches?size=1000").json().get("page").get("totalElements").asLong())
            .isEqualTo(2);
        assertThat(mallory.post("/api/v1/batches/" + held + "/cancel", Map.of("reason", "done")).status())
            .isEqualTo(202);
        assertThat(mallory.awaitTerminal(held).get("state").asString()).isEqualTo("CANCELLED");
    }

    private int probe(String path) {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http
                .send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
