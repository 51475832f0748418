package dev.failfast.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.failfast.ApiClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

/**
 * The failure policies as one table of scenarios, run against the single instance
 * ({@code LocalPolicyScenariosTest}) and against two replicas on PostgreSQL
 * ({@code ClusterPolicyScenariosTest}): each submits a batch over HTTP and checks the
 * batch's end state, its cause and every job's state, as a client reads them. The jobs
 * are {@code sleep} jobs and {@code http} jobs against a local server whose answers the
 * scenario picks (a status, a 429 with {@code Retry-After} once, a request held until
 * others arrived), so which job ends first is fixed by the jobs, not by timing.
 */
public abstract class PolicyScenarios {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private static HttpServer server;

    private static ExecutorService serverThreads;

    private static final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

    private static final Map<String, AtomicInteger> held = new ConcurrentHashMap<>();

    private static CountDownLatch released = new CountDownLatch(1);

    /** Where the scenario's batch is submitted. */
    protected abstract ApiClient submitter();

    /**
     * Where its status and jobs are read: another replica in the cluster, so what is seen
     * is what was written.
     */
    protected abstract ApiClient reader();

    @BeforeAll
    static void startTarget() throws IOException {
        released = new CountDownLatch(1);
        serverThreads = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(serverThreads);
        server.createContext("/ok", exchange -> TargetAnswers.json(exchange, 200, Map.of()));
        // /status/404: that status.
        server.createContext("/status/", exchange -> TargetAnswers.json(exchange,
                Integer.parseInt(last(exchange.getRequestURI().getPath())), Map.of()));
        // /busy-once/<key>: a 429 asking to retry after a second, then 200.
        server.createContext("/busy-once/", exchange -> {
            int call = calls.computeIfAbsent(exchange.getRequestURI().getPath(), p -> new AtomicInteger())
                .incrementAndGet();
            TargetAnswers.json(exchange, call == 1 ? 429 : 200, call == 1 ? Map.of("Retry-After", "1") : Map.of());
        });
        // /hold/<key>: counted, then held until the test ends (or its job is cancelled).
        server.createContext("/hold/", exchange -> {
            held.computeIfAbsent(last(exchange.getRequestURI().getPath()), k -> new AtomicInteger()).incrementAndGet();
            awaitQuietly(released);
            TargetAnswers.json(exchange, 200, Map.of());
        });
        // /after-held/<key>/<n>: 200 once n requests to /hold/<key> arrived.
        server.createContext("/after-held/", exchange -> {
            String[] parts = exchange.getRequestURI().getPath().split("/", -1);
            AtomicInteger arrived = held.computeIfAbsent(parts[2], k -> new AtomicInteger());
            await().atMost(WAIT).until(() -> arrived.get() >= Integer.parseInt(parts[3]));
            TargetAnswers.json(exchange, 200, Map.of());
        });
        server.start();
    }

    @AfterAll
    static void stopTarget() {
        released.countDown();
        server.stop(0);
        serverThreads.shutdownNow();
    }

    static Stream<Scenario> scenarios() {
        return Stream.of(scenario("the ratio is exceeded once minJobsForRatio jobs finished",
                t -> """
                        {'maxFailureRatio': 0.2, 'minJobsForRatio': 5, 'maxParallelism': 1, 'jobs': [%s]}"""
                    .formatted(jobs(ok("s0"), ok("s1"), ok("s2"), ok("s3"), failing("f4"), failing("f5"), ok("s6"),
                            ok("s7"), ok("s8"), ok("s9"))),
                "FAILED", "FAILURE_RATIO_EXCEEDED",
                states("s0 s1 s2 s3", "SUCCEEDED", "f4 f5", "FAILED", "s6 s7 s8 s9", "SKIPPED"), ran -> {
                    assertThat(ran.cause().get("jobId").asString()).isEqualTo("f5");
                    assertThat(ran.cause().get("message").asString())
                        .isEqualTo("2 of 6 finished jobs failed (33.3%), above maxFailureRatio 0.2");
                    assertThat(ran.batch().get("maxFailures").isNull()).as("no absolute limit").isTrue();
                }),
                scenario("the ratio stops the batch as soon as failure is certain",
                        t -> """
                                {'maxFailureRatio': 0.2, 'maxParallelism': 1, 'jobs': [%s]}"""
                            .formatted(jobs(failing("f0"), failing("f1"), failing("f2"), ok("s3"), ok("s4"), ok("s5"),
                                    ok("s6"), ok("s7"), ok("s8"), ok("s9"))),
                        "FAILED", "FAILURE_RATIO_EXCEEDED",
                        states("f0 f1 f2", "FAILED", "s3 s4 s5 s6 s7 s8 s9", "SKIPPED"),
                        ran -> assertThat(ran.cause().get("message").asString())
                            .startsWith("3 of 10 jobs failed (30.0%) and 7 are still to finish")),
                scenario("an IGNORE rule: the jobs fail, the batch succeeds",
                        t -> """
                                {'onError': [{'httpStatus': 404, 'action': 'IGNORE'}], 'maxParallelism': 1, 'jobs': [%s]}"""
                            .formatted(jobs(http("gone-1", t.url("/status/404")), http("found", t.url("/ok")),
                                    http("gone-2", t.url("/status/404")))),
                        "SUCCEEDED", null, states("gone-1 gone-2", "FAILED", "found", "SUCCEEDED"), ran -> {
                            assertThat(ran.batch().get("counts").get("failed").asInt()).isEqualTo(2);
                            assertThat(ran.batch().get("counts").get("ignored").asInt()).isEqualTo(2);
                            assertThat(ran.job("gone-1").get("ignored").asBoolean()).isTrue();
                            assertThat(ran.job("gone-1").get("error").get("httpStatus").asInt()).isEqualTo(404);
                            assertThat(ran.job("found").get("ignored").asBoolean()).isFalse();
                        }),
                scenario("a FAIL_BATCH rule stops even a CONTINUE batch",
                        t -> """
                                {'failurePolicy': 'CONTINUE', 'onError': [{'httpStatus': '4xx', 'action': 'FAIL_BATCH'}],
                                 'maxParallelism': 1, 'jobs': [%s]}"""
                            .formatted(jobs(http("first", t.url("/ok")), http("server-error", t.url("/status/500")),
                                    http("forbidden", t.url("/status/403")), http("never", t.url("/ok")))),
                        "FAILED", "JOB_FAILED",
                        states("first", "SUCCEEDED", "server-error forbidden", "FAILED", "never", "SKIPPED"), ran -> {
                            assertThat(ran.cause().get("rule").asString()).isEqualTo("onError[0]");
                            assertThat(ran.cause().get("jobId").asString()).isEqualTo("forbidden");
                            assertThat(ran.cause().get("message").asString())
                                .startsWith("onError[0] (FAIL_BATCH) matched the failure: Unexpected HTTP status 403");
                        }),
                scenario("RETRY on I/O errors under the rule's retry, never on a 400", t -> """
                        {'failurePolicy': 'CONTINUE', 'maxParallelism': 1,
                         'onError': [{'errorType': 'IO', 'action': 'RETRY',
                                      'retry': {'maxAttempts': 3, 'backoff': 'PT0.01S'}},
                                     {'httpStatus': 400, 'action': 'COUNT'}],
                         'jobs': [%s]}""".formatted(jobs(http("refused", t.closedUrl()), """
                        {'id': 'bad-request', 'type': 'http', 'params': {'url': '%s'},
                         'retry': {'maxAttempts': 3, 'backoff': 'PT0.01S'}}""".formatted(t.url("/status/400")))),
                        "FAILED", null, states("refused bad-request", "FAILED"), ran -> {
                            assertThat(ran.job("refused").get("attempts").asInt()).as("the rule's 3").isEqualTo(3);
                            assertThat(ran.job("refused").get("error").get("type").asString()).isEqualTo("IO");
                            assertThat(ran.job("bad-request").get("attempts").asInt()).as("not the job's 3")
                                .isEqualTo(1);
                            assertThat(ran.job("bad-request").get("error").get("httpStatus").asInt()).isEqualTo(400);
                        }),
                scenario("succeedWhen minSucceeded 1: the first success wins, the others are stopped", t -> """
                        {'succeedWhen': {'minSucceeded': 1}, 'maxParallelism': 3, 'jobs': [%s]}""".formatted(
                        jobs(http("slow-1", t.url("/hold/" + t.key())), http("slow-2", t.url("/hold/" + t.key())),
                                http("fast", t.url("/after-held/" + t.key() + "/2")))),
                        "SUCCEEDED", "SUCCESS_POLICY_MET", states("fast", "SUCCEEDED", "slow-1 slow-2", "CANCELLED"),
                        ran -> {
                            assertThat(ran.cause().get("jobId").asString()).isEqualTo("fast");
                            assertThat(ran.cause().get("completedAt").isNull()).isFalse();
                        }),
                scenario("succeedWhen jobIds: once every listed job succeeded",
                        t -> """
                                {'succeedWhen': {'jobIds': ['primary', 'replica']}, 'maxParallelism': 3, 'jobs': [%s]}"""
                            .formatted(jobs(http("primary", t.url("/ok")), http("extra", t.url("/hold/" + t.key())),
                                    http("replica", t.url("/after-held/" + t.key() + "/1")))),
                        "SUCCEEDED", "SUCCESS_POLICY_MET", states("primary replica", "SUCCEEDED", "extra", "CANCELLED"),
                        ran -> assertThat(ran.cause().get("message").asString())
                            .isEqualTo("Every job of succeedWhen.jobIds (2) succeeded")),
                scenario("a success policy out of reach fails the batch at once", t -> """
                        {'failurePolicy': 'CONTINUE', 'succeedWhen': {'minSucceeded': 2}, 'maxParallelism': 1,
                         'jobs': [%s]}""".formatted(jobs(failing("f0"), failing("f1"), ok("s2"))), "FAILED",
                        "SUCCESS_POLICY_UNREACHABLE", states("f0 f1", "FAILED", "s2", "SKIPPED"),
                        ran -> assertThat(ran.cause().get("jobId").asString()).isEqualTo("f1")),
                // Last: a 429 makes the tenant's other calls to the host wait a second.
                scenario("a 429 with Retry-After defers the job, not counted as a failure", t -> """
                        {'jobs': [%s]}""".formatted(jobs(http("busy", t.url("/busy-once/" + t.key())))), "SUCCEEDED",
                        null, states("busy", "SUCCEEDED"), ran -> {
                            JsonNode busy = ran.job("busy");
                            assertThat(busy.get("deferrals").asInt()).isPositive();
                            assertThat(busy.get("attempts").asInt() - busy.get("deferrals").asInt())
                                .as("counted attempts")
                                .isOne();
                            assertThat(ran.batch().get("counts").get("failed").asInt()).isZero();
                        }),
                scenario("a rule that counts a 429 wins over its Retry-After",
                        t -> """
                                {'onError': [{'httpStatus': 429, 'action': 'COUNT'}], 'jobs': [%s]}"""
                            .formatted(jobs(http("busy", t.url("/busy-once/" + t.key())))),
                        "FAILED", "JOB_FAILED", states("busy", "FAILED"), ran -> {
                            assertThat(ran.job("busy").get("deferrals").asInt()).isZero();
                            assertThat(ran.job("busy").get("error").get("httpStatus").asInt()).isEqualTo(429);
                        }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void aPolicyScenarioEndsAsItsTableRowSays(Scenario scenario) {
        Target target = new Target(server.getAddress().getPort(), UUID.randomUUID().toString());
        String id = submitter().submit(scenario.request().apply(target).replace('\'', '"'));

        JsonNode batch = reader().awaitTerminal(id, WAIT);
        // The cause is complete once its last running job stopped; the jobs are written.
        Map<String, JsonNode> jobs = new LinkedHashMap<>();
        reader().jobs(id).forEach(job -> jobs.put(job.get("id").asString(), job));
        Ran ran = new Ran(batch, jobs);

        assertThat(batch.get("state").asString()).as(batch.toString()).isEqualTo(scenario.state());
        JsonNode cause = batch.get("cancellation");
        assertThat(cause.isNull() ? null : cause.get("cause").asString()).as(batch.toString())
            .isEqualTo(scenario.cause());
        Map<String, String> states = new LinkedHashMap<>();
        jobs.forEach((jobId, job) -> states.put(jobId, job.get("state").asString()));
        assertThat(states).as(jobs.values().toString()).containsExactlyInAnyOrderEntriesOf(scenario.jobStates());
        scenario.more().accept(ran);
    }

    /**
     * One row of the table.
     *
     * @param request the batch, in JSON with single quotes, for the target of this run
     * @param cause the cancellation cause, or null for a batch that ran to its end
     * @param jobStates every job's end state
     * @param more what else the row checks
     */
    public record Scenario(String name, Function<Target, String> request, String state, @Nullable String cause,
            Map<String, String> jobStates, Consumer<Ran> more) {

        @Override
        public String toString() {
            return name;
        }
    }

    /** What a client reads of a scenario's batch once it ended. */
    public record Ran(JsonNode batch, Map<String, JsonNode> jobs) {

        JsonNode cause() {
            return batch.get("cancellation");
        }

        JsonNode job(String id) {
            return jobs.get(id);
        }
    }

    /**
     * The local server for this run; {@code key} keeps its counters apart from other
     * runs'.
     */
    public record Target(int port, String key) {

        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        /** A loopback port nothing listens on: connecting is refused, an IO error. */
        String closedUrl() {
            try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                return "http://127.0.0.1:" + socket.getLocalPort() + "/";
            }
            catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static Scenario scenario(String name, Function<Target, String> request, String state,
            @Nullable String cause, Map<String, String> jobStates, Consumer<Ran> more) {
        return new Scenario(name, request, state, cause, jobStates, more);
    }

    /** Pairs of space-separated job ids and the state they all end in. */
    private static Map<String, String> states(String... idsAndStates) {
        Map<String, String> states = new LinkedHashMap<>();
        for (int i = 0; i < idsAndStates.length; i += 2) {
            for (String id : idsAndStates[i].split(" ", -1)) {
                states.put(id, idsAndStates[i + 1]);
            }
        }
        return states;
    }

    private static String jobs(String... jobs) {
        return String.join(", ", jobs);
    }

    private static String ok(String id) {
        return "{'id': '" + id + "', 'type': 'sleep', 'params': {'duration': 'PT0S'}}";
    }

    private static String failing(String id) {
        return "{'id': '" + id + "', 'type': 'sleep', 'params': {'duration': 'PT0S', 'failAfter': 'PT0S'}}";
    }

    private static String http(String id, String url) {
        return "{'id': '" + id + "', 'type': 'http', 'params': {'url': '" + url + "'}}";
    }

    private static String last(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
