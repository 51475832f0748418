package dev.failfast.metrics;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import dev.failfast.SseClient;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.testing.WebhookReceiver;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.assertj.core.api.SoftAssertions;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The shipped dashboard and alert rules against real data: a real Prometheus scrapes this
 * running Failfast while it runs fail-fast, cancelled, continue-policy and abandoning
 * batches; then every panel query (variables substituted as Grafana would) must show what
 * those batches did, and every alert expression must fire, or not, as they call for.
 * Prometheus also loads the rule file and must evaluate every rule without error, firing
 * the alert without a {@code for} at once. A batch of each run notifies a real webhook
 * receiver, so the notification series have deliveries to show.
 *
 * <p>
 * The workloads run twice, with a scrape in between: the first run creates every series
 * (a series created between two scrapes has no rate yet), the second gives each a rate to
 * show.
 */
@FailfastServerTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusQueriesTest {

    /**
     * Grafana's built-in interval variables, at values that fit a one-second scrape
     * interval.
     */
    private static final Map<String, String> BUILT_INS = Map.of("__rate_interval", "1m", "__interval", "15s", "__range",
            "5m");

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)}?");

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry registry;

    @Autowired
    FailfastProperties properties;

    ApiClient client;

    PrometheusServer prometheus;

    WebhookReceiver receiver;

    /** The batch of a remote job no worker serves: it waits until the test ends. */
    @Nullable String unserved;

    @BeforeAll
    void startPrometheusAndRunWorkloads(@TempDir Path workDir) throws IOException {
        client = new ApiClient(port);
        receiver = WebhookReceiver.accepting();
        prometheus = PrometheusServer.start(workDir, port, ShippedFiles.ALERT_RULES);
        runWorkloads();
        prometheus.awaitScrapeAfter(Instant.now());
        runWorkloads();
        prometheus.awaitTwoScrapes();
    }

    @AfterAll
    void stopPrometheus() {
        if (unserved != null) {
            client.post("/api/v1/batches/" + unserved + "/cancel", Map.of("reason", "test over"));
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (receiver != null) {
            receiver.close();
        }
    }

    private void runWorkloads() throws IOException {
        List<String> batches = new ArrayList<>();
        // Fail fast: the seed workload.
        batches.add(client.submit(MetricsTest.workload("seed-ff.json")));
        // Cancel: a client cancels a running batch, one job of which succeeded first (so
        // the stop has a mean duration to estimate the work it saved from).
        List<Map<String, Object>> cancelledJobs = new ArrayList<>();
        cancelledJobs.add(sleep("quick", "PT0.05S"));
        IntStream.range(0, 6).mapToObj(i -> sleep("j" + i, "PT60S")).forEach(cancelledJobs::add);
        String cancelled = client.submit(Map.of("maxParallelism", 2, "jobs", cancelledJobs));
        batches.add(cancelled);
        await().until(() -> client.batch(cancelled).get("counts"),
                counts -> counts.get("running").asInt() == 2 && counts.get("succeeded").asInt() == 1);
        client.post("/api/v1/batches/" + cancelled + "/cancel", Map.of("reason", "dashboard test"));
        // Continue: every job runs, one fails, one succeeds on its third attempt.
        batches.add(client.submit(Map.of("failurePolicy", "CONTINUE", "jobs",
                List.of(sleep("ok", "PT0.05S"), sleep("bad", "PT0.05S", Map.of("failAfter", "PT0S")),
                        Map.of("id", "flaky", "type", "sleep", "params", Map.of("duration", "PT0S", "failAttempts", 2),
                                "retry", Map.of("maxAttempts", 3, "backoff", "PT0.01S")),
                        sleep("quick", "PT0S")))));
        // A job that ignores cancellation is abandoned after the grace period.
        batches
            .add(client.submit(Map.of("jobs", List.of(sleep("stuck", "PT2S", Map.of("ignoreCancel", true, "steps", 1)),
                    sleep("fails", "PT0.1S", Map.of("failAfter", "PT0.05S"))))));
        // Notified of its first failure and of its end, both delivered.
        int received = receiver.requests().size();
        batches.add(client
            .submit(Map.of("jobs", List.of(sleep("fails", "PT0S", Map.of("failAfter", "PT0S"))), "notifications",
                    List.of(Map.of("url", receiver.url("/hooks"), "events",
                            List.of("batch.first_failure", "batch.finished"), "secret",
                            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")))));
        // A remote worker claims one of two remote jobs; a client cancels their batch, so
        // the
        // worker's stream is pushed a cancel and the other attempt, still waiting, is
        // withdrawn.
        batches.add(remoteWorkload());
        for (String id : batches) {
            client.awaitTerminal(id);
        }
        await().until(() -> receiver.requests().size() >= received + 2);
        // Client errors for the HTTP error panel: an unknown batch, and cancelling a
        // finished one.
        assertThat(client.get("/api/v1/batches/01890a5d-ac96-774b-bcce-b302099a8057").status()).isEqualTo(404);
        assertThat(client.post("/api/v1/batches/" + batches.getFirst() + "/cancel", Map.of()).status()).isEqualTo(409);
        // A JVM that never collected has no GC pause series yet; a running service always
        // has.
        System.gc();
    }

    /**
     * A worker (left registered, for the connected gauge) runs one of a batch's two
     * remote jobs; the batch is cancelled; an attempt of a type no worker serves waits
     * for the whole test, for the waiting gauge.
     */
    private String remoteWorkload() {
        if (unserved == null) {
            unserved = client.submit(Map.of("jobs", List.of(Map.of("id", "waits", "type", "remote:unserved"))));
        }
        // A new worker for each run: the one before may have let its lease lapse
        // meanwhile.
        String worker = client.post("/api/v1/workers", Map.of("types", List.of("step"), "capacity", 1))
            .json()
            .get("id")
            .asString();
        try (SseClient events = SseClient.openPath(client, "/api/v1/workers/" + worker + "/events", null)) {
            assertThat(events.next().name()).isEqualTo("ready");
            String batch = client.submit(Map.of("jobs",
                    List.of(Map.of("id", "a", "type", "remote:step"), Map.of("id", "b", "type", "remote:step"))));
            List<JsonNode> claimed = new ArrayList<>();
            await().until(() -> {
                client.post("/api/v1/workers/" + worker + "/claim", Map.of("wait", "PT1S"))
                    .json()
                    .get("attempts")
                    .forEach(claimed::add);
                return !claimed.isEmpty();
            });
            client.post("/api/v1/batches/" + batch + "/cancel", Map.of("reason", "dashboard test"));
            assertThat(events.next().name()).isEqualTo("cancel");
            client.post("/api/v1/workers/" + worker + "/attempts/" + claimed.getFirst().get("id").asString() + "/fail",
                    Map.of("errorType", "CANCELLED"));
            return batch;
        }
    }

    @Test
    void templateVariablesFindThisInstance() {
        JsonNode variables = ShippedFiles.dashboard().get("templating").get("list");
        for (JsonNode variable : variables) {
            if (!variable.get("type").asString().equals("query")) {
                continue;
            }
            Matcher labelValues = Pattern.compile("label_values\\((.*),\\s*(\\w+)\\)")
                .matcher(variable.get("definition").asString());
            assertThat(labelValues.matches()).as(variable.get("definition").asString()).isTrue();
            String selector = substitute(labelValues.group(1));
            JsonNode values = prometheus.api("/api/v1/label/" + labelValues.group(2) + "/values?match[]="
                    + URLEncoder.encode(selector, StandardCharsets.UTF_8));
            assertThat(values.valueStream().map(JsonNode::asString)).as(variable.get("name").asString())
                .containsAnyOf(PrometheusServer.NAMESPACE, PrometheusServer.instance(port));
        }
    }

    /**
     * What each panel query must show after the workloads, by panel title and query
     * refId. Rates cover the second run only: per run, 5 batches (4 FAILED, 1 CANCELLED
     * by the client), jobs of every outcome, 2 retries, 1 abandoned job, 2 notifications
     * delivered, one 404 and one 409, and no 429 or 5xx.
     */
    private Map<String, Consumer<JsonNode>> panelExpectations() {
        Map<String, Consumer<JsonNode>> expected = new LinkedHashMap<>();
        expected.put("Instances up/A", result -> assertThat(single(result)).isEqualTo(1));
        expected.put("Active batches/A",
                result -> assertThat(single(result)).isEqualTo(gauge("failfast.batches.active")));
        expected.put("Jobs running/A", result -> assertThat(single(result)).isEqualTo(gauge("failfast.jobs.running")));
        expected.put("Jobs pending/A", result -> assertThat(single(result)).isEqualTo(gauge("failfast.jobs.pending")));
        expected.put("Abandoned jobs/A", result -> assertThat(single(result)).isGreaterThanOrEqualTo(1));
        expected.put("Rejected batches (429)/A", result -> assertThat(single(result)).isZero());
        expected.put("Batches by outcome/A", result -> assertThat(single(result)).isPositive());
        expected.put("Batches by outcome/B",
                result -> assertThat(by("outcome", result)).containsOnlyKeys("SUCCEEDED", "FAILED", "CANCELLED")
                    .hasEntrySatisfying("FAILED", rate -> assertThat(rate).isPositive())
                    .hasEntrySatisfying("CANCELLED", rate -> assertThat(rate).isPositive())
                    .containsEntry("SUCCEEDED", 0.0));
        expected.put("Jobs by outcome/A",
                result -> assertThat(by("outcome", result))
                    .containsOnlyKeys("SUCCEEDED", "FAILED", "CANCELLED", "SKIPPED")
                    .allSatisfy((outcome, rate) -> assertThat(rate).as(outcome).isPositive()));
        expected.put("Jobs running and pending/A",
                result -> assertThat(single(result)).isEqualTo(gauge("failfast.jobs.running")));
        expected.put("Jobs running and pending/B",
                result -> assertThat(single(result)).isEqualTo(gauge("failfast.jobs.pending")));
        expected.put("Jobs running and pending/C",
                result -> assertThat(single(result)).isEqualTo((double) properties.limits().maxPendingJobs()));
        expected.put("Executor saturation/A", result -> assertThat(single(result)).isBetween(0.0, 1.0));
        // The executor's threads: the pool, and the spare ones for threads stuck in
        // abandoned attempts.
        double poolSize = properties.executor().poolSize() + properties.executor().maxAbandoned();
        expected.put("Executor threads and queue/A", result -> assertThat(single(result)).isBetween(1.0, poolSize));
        expected.put("Executor threads and queue/B", result -> assertThat(single(result)).isBetween(0.0, poolSize));
        expected.put("Executor threads and queue/C", result -> assertThat(single(result)).isZero());
        expected.put("Retries by job type/A",
                result -> assertThat(by("type", result)).containsOnlyKeys("sleep", "http", "remote:*")
                    .containsEntry("http", 0.0)
                    .containsEntry("remote:*", 0.0)
                    .hasEntrySatisfying("sleep", rate -> assertThat(rate).isPositive()));
        for (String refId : List.of("A", "B", "C")) {
            expected.put("Job duration by type/" + refId,
                    result -> assertThat(by("type", result)).hasEntrySatisfying("sleep", this::aDuration));
        }
        for (String refId : List.of("A", "B")) {
            expected.put("Batch duration by outcome/" + refId,
                    result -> assertThat(by("outcome", result)).hasEntrySatisfying("FAILED", this::aDuration)
                        .hasEntrySatisfying("CANCELLED", this::aDuration));
        }
        expected.put("Cancellations by cause/A",
                result -> assertThat(by("cause", result))
                    .hasEntrySatisfying("JOB_FAILED", rate -> assertThat(rate).isPositive())
                    .hasEntrySatisfying("USER_REQUESTED", rate -> assertThat(rate).isPositive())
                    .containsEntry("DEADLINE_EXCEEDED", 0.0)
                    .containsEntry("MAX_FAILURES_EXCEEDED", 0.0)
                    .containsEntry("SHUTDOWN", 0.0));
        // The abandoning batch stops one grace period (1 s in tests) after its cause; a
        // client's cancel of sleeping jobs stops in milliseconds.
        expected.put("Cancellation propagation p99/A",
                result -> assertThat(by("cause", result))
                    .hasEntrySatisfying("JOB_FAILED", p99 -> assertThat(p99).isBetween(0.5, 10.0))
                    .hasEntrySatisfying("USER_REQUESTED", p99 -> assertThat(p99).isBetween(0.0, 0.5)));
        expected.put("Cancellation propagation p99/B",
                result -> assertThat(by("cause", result)).hasEntrySatisfying("JOB_FAILED", this::aDuration)
                    .hasEntrySatisfying("USER_REQUESTED", this::aDuration));
        // Both stopping batches discard the time of the jobs they stop; only the client's
        // cancel, whose batch had a job succeed, has an estimate of the work it saved.
        expected.put("Work discarded and saved by stops/A",
                result -> assertThat(by("cause", result))
                    .hasEntrySatisfying("JOB_FAILED", rate -> assertThat(rate).isPositive())
                    .hasEntrySatisfying("USER_REQUESTED", rate -> assertThat(rate).isPositive())
                    .containsEntry("DEADLINE_EXCEEDED", 0.0));
        expected.put("Work discarded and saved by stops/B",
                result -> assertThat(by("cause", result))
                    .hasEntrySatisfying("USER_REQUESTED", rate -> assertThat(rate).isPositive())
                    .containsEntry("JOB_FAILED", 0.0)
                    .containsEntry("DEADLINE_EXCEEDED", 0.0));
        expected.put("Abandoned jobs and rejected batches/A",
                result -> assertThat(by("type", result)).containsOnlyKeys("sleep", "http", "remote:*")
                    .containsEntry("http", 0.0)
                    .containsEntry("remote:*", 0.0)
                    .hasEntrySatisfying("sleep", rate -> assertThat(rate).isPositive()));
        expected.put("Abandoned jobs and rejected batches/B", result -> assertThat(single(result)).isZero());
        // Each run's notified batch: its first failure and its end, both delivered.
        expected.put("Notification deliveries/A",
                result -> assertThat(by("event", result))
                    .containsOnlyKeys("batch.failed", "batch.succeeded", "batch.cancelled", "batch.finished",
                            "batch.first_failure")
                    .hasEntrySatisfying("batch.first_failure", rate -> assertThat(rate).isPositive())
                    .hasEntrySatisfying("batch.finished", rate -> assertThat(rate).isPositive()));
        expected.put("Notification deliveries/B",
                result -> assertThat(by("outcome", result)).containsOnlyKeys("delivered", "failed")
                    .hasEntrySatisfying("delivered", rate -> assertThat(rate).isPositive()));
        expected.put("Notification deliveries/C", result -> assertThat(single(result)).isZero());
        expected.put("Notifications pending and failed/A",
                result -> assertThat(single(result)).isEqualTo(gauge("failfast.notifications.pending")));
        expected.put("Notifications pending and failed/B",
                result -> assertThat(single(result)).isEqualTo(gauge("failfast.notifications.failed.kept")));
        for (String refId : List.of("A", "B")) {
            expected.put("Notification delivery latency/" + refId, result -> aDuration(single(result)));
        }
        expected.put("Workers connected/A",
                result -> assertThat(single(result)).isEqualTo(gauge("failfast.workers.connected")).isPositive());
        expected.put("Jobs waiting for a worker/A",
                result -> assertThat(by("type", result)).containsEntry("remote:unserved", 1.0));
        for (String refId : List.of("A", "B")) {
            expected.put("Claim latency/" + refId, result -> aDuration(single(result)));
            expected.put("Remote cancel latency/" + refId, result -> aDuration(single(result)));
        }
        expected.put("HTTP requests by endpoint/A",
                result -> assertThat(by(List.of("method", "uri"), result))
                    .hasEntrySatisfying("POST /api/v1/batches", rate -> assertThat(rate).isPositive())
                    .hasEntrySatisfying("GET /api/v1/batches/{id}", rate -> assertThat(rate).isPositive())
                    .hasEntrySatisfying("POST /api/v1/batches/{id}/cancel", rate -> assertThat(rate).isPositive())
                    .allSatisfy((endpoint, rate) -> assertThat(endpoint).doesNotContain("/actuator")));
        expected.put("HTTP latency p99 by endpoint/A",
                result -> assertThat(by("uri", result)).hasEntrySatisfying("/api/v1/batches", this::aDuration)
                    .hasEntrySatisfying("/api/v1/batches/{id}", this::aDuration));
        // Statuses answered by tests that ran before in this application context show
        // with rate 0.
        expected.put("HTTP errors by status/A",
                result -> assertThat(by("status", result))
                    .hasEntrySatisfying("404", rate -> assertThat(rate).isPositive())
                    .hasEntrySatisfying("409", rate -> assertThat(rate).isPositive())
                    .allSatisfy((status, rate) -> {
                        if (!List.of("404", "409").contains(status)) {
                            assertThat(rate).as("status %s", status).isZero();
                        }
                    }));
        for (String refId : List.of("A", "B")) {
            expected.put("Store write latency/" + refId,
                    result -> assertThat(by("operation", result)).hasEntrySatisfying("create", this::aDuration)
                        .hasEntrySatisfying("update", this::aDuration));
        }
        expected.put("Store writes/A",
                result -> assertThat(by(List.of("operation", "exception"), result))
                    .hasEntrySatisfying("create none", rate -> assertThat(rate).isPositive())
                    .hasEntrySatisfying("update none", rate -> assertThat(rate).isPositive()));
        for (String refId : List.of("A", "B")) {
            expected.put("JVM memory/" + refId,
                    result -> assertThat(by("area", result)).containsOnlyKeys("heap", "nonheap")
                        .allSatisfy((area, bytes) -> assertThat(bytes).isPositive()));
        }
        expected.put("GC pauses/A", result -> assertThat(by("gc", result)).isNotEmpty()
            .allSatisfy((gc, seconds) -> assertThat(seconds).isNotNegative()));
        expected.put("GC pauses/B", result -> assertThat(by("gc", result)).isNotEmpty()
            .allSatisfy((gc, seconds) -> assertThat(seconds).isNotNegative()));
        expected.put("JVM threads/A", result -> assertThat(single(result)).isPositive());
        expected.put("JVM threads/B", result -> assertThat(by("state", result)).hasEntrySatisfying("runnable",
                threads -> assertThat(threads).isPositive()));
        expected.put("CPU/A", result -> assertThat(single(result)).isBetween(0.0, 1.0));
        return expected;
    }

    @Test
    void everyPanelQueryShowsWhatTheWorkloadsDid() {
        Map<String, Consumer<JsonNode>> expected = panelExpectations();
        List<ShippedFiles.PanelQuery> queries = ShippedFiles.panelQueries(ShippedFiles.dashboard());
        assertThat(queries.stream().map(q -> q.panel() + "/" + q.refId()))
            .as("a panel query without an expectation here, or an expectation without its query")
            .containsExactlyInAnyOrderElementsOf(expected.keySet());
        // Gauges are compared with the service's own meters: give the next scrape time to
        // catch up.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            var softly = new SoftAssertions();
            for (ShippedFiles.PanelQuery query : queries) {
                String promql = substitute(query.expr());
                softly
                    .assertThatCode(() -> expected.get(query.panel() + "/" + query.refId())
                        .accept(prometheus.query(promql).get("result")))
                    .as("panel '%s' query %s: %s", query.panel(), query.refId(), promql)
                    .doesNotThrowAnyException();
            }
            softly.assertAll();
        });
    }

    /**
     * Which alerts the workloads call for, by the {@code bool} form of each expression
     * (one 0/1 series per instance, or per job type): half the jobs that ran to an end
     * failed, and one job was abandoned; nothing else is wrong.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            FailfastJobFailureRatioHigh        | 1
            FailfastExecutorSaturated          | 0
            FailfastPendingJobsNearLimit       | 0
            FailfastAdmissionRejections        | 0
            FailfastJobsAbandoned              | 1
            FailfastAbandonedThreadsAtLimit    | 0
            FailfastClusterListenerReconnecting | 0
            FailfastHttpServerErrors           | 0
            FailfastNotificationDeliveriesFailing | 0
            FailfastNotificationsFailed        | 0
            """)
    void everyAlertExpressionFiresAsTheWorkloadsCallFor(String alert, int firing) {
        ShippedFiles.AlertRule rule = rule(alert);

        JsonNode result = prometheus.query(rule.asBool()).get("result");

        assertThat(result).as("%s: %s", alert, rule.asBool()).isNotEmpty();
        if (alert.equals("FailfastJobsAbandoned")) {
            assertThat(by("type", result)).containsEntry("sleep", 1.0).containsEntry("http", 0.0);
        }
        else {
            assertThat(single(result)).as("%s: %s", alert, rule.asBool()).isEqualTo(firing);
        }
    }

    /**
     * Its threshold (1 s) lies close to what the abandoning batch takes, so only its
     * query is pinned down.
     */
    @Test
    void theCancellationPropagationAlertSeesTheAbandoningBatch() {
        ShippedFiles.AlertRule rule = rule("FailfastCancellationPropagationSlow");

        assertThat(single(prometheus.query(rule.query()).get("result"))).as(rule.query()).isBetween(0.5, 10.0);
        assertThat(prometheus.query(rule.asBool()).get("result")).isNotEmpty();
    }

    @Test
    void everyAlertIsCheckedAgainstTheWorkloads() {
        assertThat(ShippedFiles.alertRules()).extracting(ShippedFiles.AlertRule::name)
            .containsExactlyInAnyOrder("FailfastJobFailureRatioHigh", "FailfastExecutorSaturated",
                    "FailfastPendingJobsNearLimit", "FailfastAdmissionRejections", "FailfastJobsAbandoned",
                    "FailfastAbandonedThreadsAtLimit", "FailfastClusterListenerReconnecting",
                    "FailfastCancellationPropagationSlow", "FailfastHttpServerErrors",
                    "FailfastNotificationDeliveriesFailing", "FailfastNotificationsFailed");
    }

    /**
     * An alert without {@code for} fires at its first evaluation; one with {@code for}
     * waits, pending.
     */
    @Test
    void prometheusFiresTheAbandonedJobsAlertAndHoldsTheFailureRatioPending() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<String, String> states = new HashMap<>();
            prometheus.api("/api/v1/alerts")
                .get("alerts")
                .forEach(alert -> states.put(alert.get("labels").get("alertname").asString(),
                        alert.get("state").asString()));
            assertThat(states).containsEntry("FailfastJobsAbandoned", "firing")
                .containsEntry("FailfastJobFailureRatioHigh", "pending")
                .doesNotContainKeys("FailfastExecutorSaturated", "FailfastAdmissionRejections",
                        "FailfastHttpServerErrors", "FailfastPendingJobsNearLimit", "FailfastAbandonedThreadsAtLimit",
                        "FailfastClusterListenerReconnecting", "FailfastNotificationDeliveriesFailing",
                        "FailfastNotificationsFailed");
        });
    }

    @Test
    void prometheusEvaluatesEveryRuleWithoutError() {
        int expected = ShippedFiles.alertRules().size();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<JsonNode> rules = prometheus.api("/api/v1/rules")
                .get("groups")
                .valueStream()
                .flatMap(group -> group.get("rules").valueStream())
                .toList();
            assertThat(rules).hasSize(expected).allSatisfy(rule -> {
                assertThat(rule.get("health").asString()).as(rule.toString()).isEqualTo("ok");
                assertThat(rule.get("lastEvaluation").asString()).as(rule.toString()).doesNotStartWith("0001");
            });
        });
    }

    private static ShippedFiles.AlertRule rule(String name) {
        return ShippedFiles.alertRules().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    /** The value of a result that must be one series. */
    private static double single(JsonNode result) {
        assertThat(result).as(result.toString()).hasSize(1);
        return value(result.get(0));
    }

    /** A result's values by one label. */
    private static Map<String, Double> by(String label, JsonNode result) {
        return by(List.of(label), result);
    }

    /** A result's values by some labels, joined with a space. */
    private static Map<String, Double> by(List<String> labels, JsonNode result) {
        Map<String, Double> values = new TreeMap<>();
        for (JsonNode series : result) {
            JsonNode metric = series.get("metric");
            String key = String.join(" ", labels.stream().map(l -> metric.path(l).asString("")).toList());
            assertThat(values.put(key, value(series))).as("two series for %s in %s", key, result).isNull();
        }
        return values;
    }

    private static double value(JsonNode series) {
        return Double.parseDouble(series.get("value").get(1).asString());
    }

    /**
     * A quantile of something that happened: a finite, positive number of seconds, below
     * an hour.
     */
    private void aDuration(double seconds) {
        assertThat(seconds).isFinite().isPositive().isLessThan(3600);
    }

    /** The value of one of the service's own gauges, as its registry has it now. */
    private double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    /** Replaces the dashboard's variables as Grafana would for this one instance. */
    private String substitute(String expr) {
        Matcher m = VARIABLE.matcher(expr);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group(1)) {
                case "namespace" -> PrometheusServer.NAMESPACE;
                case "instance" -> PrometheusServer.instance(port);
                case String name when BUILT_INS.containsKey(name) -> BUILT_INS.get(name);
                case String name -> throw new IllegalArgumentException("Unknown variable $" + name + " in " + expr);
            };
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return m.appendTail(out).toString();
    }

}
