package dev.failfast.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.failfast.ApiClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Redrive as a client sees it, run against the single instance ({@code LocalRedriveTest})
 * and against two replicas on PostgreSQL ({@code ClusterRedriveTest}): a batch ends, the
 * target of its failed job is fixed, and {@code POST /batches/{id}/redrive} runs the jobs
 * that did not succeed again as the batch's next run. The {@code http} jobs call a local
 * server whose {@code /flaky/<key>} answers 500 until the test heals that key, so which
 * run fails is fixed by the test, not by timing.
 */
public abstract class RedriveScenarios {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static HttpServer server;

    private static ExecutorService serverThreads;

    private static final Set<String> healed = ConcurrentHashMap.newKeySet();

    private static final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    /** Where the batch is submitted and redriven. */
    protected abstract ApiClient submitter();

    /** Where it is read: another replica in the cluster, so what is seen was written. */
    protected abstract ApiClient reader();

    @BeforeAll
    static void startTarget() throws IOException {
        serverThreads = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(serverThreads);
        server.createContext("/flaky/", exchange -> {
            String key = exchange.getRequestURI().getPath().substring("/flaky/".length());
            calls.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            TargetAnswers.json(exchange, healed.contains(key) ? 200 : 500, Map.of());
        });
        server.start();
    }

    @AfterAll
    static void stopTarget() {
        server.stop(0);
        serverThreads.shutdownNow();
    }

    @Test
    void aRedriveRunsTheJobsThatDidNotSucceedAgainAsTheNextRunAndKeepsTheSucceededOnes() {
        String key = UUID.randomUUID().toString();
        String id = submitter().submit(Map.of("maxParallelism", 1, "jobs",
                List.of(ApiClient.sleep("ok", "PT0S"), flaky("flaky", key), ApiClient.sleep("later", "PT0S"))));
        JsonNode first = reader().awaitTerminal(id, WAIT);
        assertThat(first.get("state").asString()).isEqualTo("FAILED");
        assertThat(first.get("cancellation").get("jobId").asString()).isEqualTo("flaky");
        assertThat(first.get("run").asInt()).isOne();
        assertThat(first.get("runs")).hasSize(1);
        JsonNode okResult = reader().job(id, "ok").get("result");

        healed.add(key);
        ApiClient.Response redriven = submitter().post("/api/v1/batches/" + id + "/redrive", "");
        assertThat(redriven.status()).as(redriven.body()).isEqualTo(202);
        JsonNode queued = redriven.json();
        assertThat(queued.get("run").asInt()).isEqualTo(2);
        assertThat(queued.get("state").asString()).isEqualTo("QUEUED");
        assertThat(queued.get("cancellation").isNull()).isTrue();
        assertThat(queued.get("counts").get("pending").asInt()).isEqualTo(2);
        assertThat(queued.get("counts").get("succeeded").asInt()).isOne();

        JsonNode second = reader().awaitTerminal(id, WAIT);
        assertThat(second.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(second.get("cancellation").isNull()).isTrue();
        assertThat(second.get("counts").get("succeeded").asInt()).isEqualTo(3);
        List<JsonNode> runs = second.get("runs").valueStream().toList();
        assertThat(runs).hasSize(2);
        assertThat(runs.get(0).get("number").asInt()).isOne();
        assertThat(runs.get(0).get("state").asString()).isEqualTo("FAILED");
        assertThat(runs.get(0).get("cancellation").get("cause").asString()).isEqualTo("JOB_FAILED");
        assertThat(runs.get(0).get("finishedAt").asString()).isEqualTo(first.get("finishedAt").asString());
        assertThat(runs.get(0).get("redrivenJobs").isNull()).isTrue();
        assertThat(runs.get(1).get("number").asInt()).isEqualTo(2);
        assertThat(runs.get(1).get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(runs.get(1).get("redrivenJobs").asInt()).isEqualTo(2);
        assertThat(runs.get(1).get("redrivenBy").asString()).startsWith("key:");
        assertThat(Instant.parse(runs.get(1).get("queuedAt").asString()))
            .isAfterOrEqualTo(Instant.parse(first.get("finishedAt").asString()));

        JsonNode ok = reader().job(id, "ok");
        assertThat(ok.get("run").asInt()).as("it succeeded in run 1 and was kept").isOne();
        assertThat(ok.get("attempts").asInt()).isOne();
        assertThat(ok.get("result")).isEqualTo(okResult);
        assertThat(ok.get("attemptHistory")).hasSize(1);

        JsonNode flaky = reader().job(id, "flaky");
        assertThat(flaky.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(flaky.get("run").asInt()).isEqualTo(2);
        assertThat(flaky.get("attempts").asInt()).as("attempts count per run").isOne();
        assertThat(flaky.get("error").isNull()).isTrue();
        List<JsonNode> history = flaky.get("attemptHistory").valueStream().toList();
        assertThat(history).extracting(a -> a.get("run").asInt() + "#" + a.get("number").asInt())
            .containsExactly("1#1", "2#1");
        assertThat(history.get(0).get("outcome").asString()).isEqualTo("FAILED");
        assertThat(history.get(0).get("error").get("httpStatus").asInt()).isEqualTo(500);
        assertThat(history.get(1).get("outcome").asString()).isEqualTo("SUCCEEDED");
        assertThat(calls.get(key).get()).isEqualTo(2);

        JsonNode later = reader().job(id, "later");
        assertThat(later.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(later.get("run").asInt()).isEqualTo(2);
        assertThat(later.get("stoppedBy").isNull()).isTrue();
        assertThat(later.get("attemptHistory")).hasSize(1);
        assertThat(reader().jobs(id)).extracting(job -> job.get("run").asInt()).containsExactly(1, 2, 2);
    }

    @Test
    void aRedriveOfChosenJobsLeavesTheOthersInTheRunThatEndedThem() {
        String key = UUID.randomUUID().toString();
        String id = submitter().submit(Map.of("maxParallelism", 1, "failurePolicy", "CONTINUE", "jobs",
                List.of(flaky("a", "never-" + key), flaky("b", key), flaky("c", "never-" + key))));
        assertThat(reader().awaitTerminal(id, WAIT).get("counts").get("failed").asInt()).isEqualTo(3);

        healed.add(key);
        ApiClient.Response redriven = submitter().post("/api/v1/batches/" + id + "/redrive",
                Map.of("states", List.of("FAILED"), "jobIds", List.of("b")));
        assertThat(redriven.status()).as(redriven.body()).isEqualTo(202);

        JsonNode second = reader().awaitTerminal(id, WAIT);
        assertThat(second.get("run").asInt()).isEqualTo(2);
        assertThat(second.get("state").asString()).as("a and c still failed").isEqualTo("FAILED");
        assertThat(second.get("counts").get("failed").asInt()).isEqualTo(2);
        assertThat(second.get("counts").get("succeeded").asInt()).isOne();
        assertThat(second.get("runs").get(1).get("redrivenJobs").asInt()).isOne();
        assertThat(reader().jobs(id))
            .extracting(
                    job -> job.get("id").asString() + ":" + job.get("run").asInt() + ":" + job.get("state").asString())
            .containsExactly("a:1:FAILED", "b:2:SUCCEEDED", "c:1:FAILED");
    }

    @Test
    void aJobLeftStoppedByAnEarlierRunNamesThatRunsCause() {
        String key = UUID.randomUUID().toString();
        String id = submitter().submit(Map.of("maxParallelism", 2, "jobs",
                List.of(ApiClient.sleep("slow", "PT60S"), flaky("bad", key), ApiClient.sleep("later", "PT0S"))));
        JsonNode first = reader().awaitTerminal(id, WAIT);
        assertThat(reader().jobs(id)).extracting(job -> job.get("state").asString())
            .containsExactly("CANCELLED", "FAILED", "SKIPPED");

        ApiClient.Response redriven = submitter().post("/api/v1/batches/" + id + "/redrive",
                Map.of("states", List.of("SKIPPED")));
        assertThat(redriven.status()).as(redriven.body()).isEqualTo(202);

        JsonNode second = reader().awaitTerminal(id, WAIT);
        assertThat(second.get("state").asString()).as("bad's failure still counts").isEqualTo("FAILED");
        assertThat(second.get("cancellation").isNull()).as("nothing stopped run 2").isTrue();
        assertThat(reader().job(id, "later").get("state").asString()).isEqualTo("SUCCEEDED");
        JsonNode stoppedBy = reader().job(id, "slow").get("stoppedBy");
        assertThat(stoppedBy.get("run").asInt()).isOne();
        assertThat(stoppedBy.get("cause").asString()).isEqualTo("JOB_FAILED");
        assertThat(stoppedBy.get("jobId").asString()).isEqualTo("bad");
        assertThat(stoppedBy.get("requestedAt").asString())
            .isEqualTo(first.get("cancellation").get("requestedAt").asString());
    }

    @Test
    void aRedrivenRunHasItsOwnDeadlineCountedFromTheRedrive() {
        String id = submitter().submit(Map.of("deadline", "PT1S", "jobs", List.of(ApiClient.sleep("slow", "PT60S"))));
        JsonNode first = reader().awaitTerminal(id, WAIT);
        assertThat(first.get("cancellation").get("cause").asString()).isEqualTo("DEADLINE_EXCEEDED");

        ApiClient.Response redriven = submitter().post("/api/v1/batches/" + id + "/redrive", "{}");
        assertThat(redriven.status()).as(redriven.body()).isEqualTo(202);
        JsonNode second = reader().awaitTerminal(id, WAIT);

        assertThat(second.get("run").asInt()).isEqualTo(2);
        assertThat(second.get("state").asString()).isEqualTo("FAILED");
        JsonNode cause = second.get("cancellation");
        assertThat(cause.get("cause").asString()).isEqualTo("DEADLINE_EXCEEDED");
        Instant queuedAt = Instant.parse(second.get("runs").get(1).get("queuedAt").asString());
        assertThat(Duration.between(queuedAt, Instant.parse(cause.get("requestedAt").asString())))
            .as("a deadline counted from the batch's creation had passed at the redrive")
            .isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        JsonNode slow = reader().job(id, "slow");
        assertThat(slow.get("run").asInt()).isEqualTo(2);
        assertThat(slow.get("stoppedBy").get("run").asInt()).isEqualTo(2);
        assertThat(slow.get("attemptHistory").valueStream().map(a -> a.get("outcome").asString()))
            .containsExactly("CANCELLED", "CANCELLED");
    }

    private static Map<String, Object> flaky(String id, String key) {
        int port = server.getAddress().getPort();
        return Map.of("id", id, "type", "http", "params", Map.of("url", "http://127.0.0.1:" + port + "/flaky/" + key));
    }

}
