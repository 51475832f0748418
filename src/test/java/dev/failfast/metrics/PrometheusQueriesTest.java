package dev.failfast.metrics;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * The shipped dashboard and alert rules against real data: a real Prometheus scrapes this running
 * Failfast while it runs fail-fast, cancelled and continue-policy batches; then every panel query
 * (variables substituted as Grafana would) and every alert expression must evaluate without error
 * and return at least one series. Prometheus also loads the rule file and must evaluate every rule
 * without error.
 */
@FailfastServerTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrometheusQueriesTest {

    /** Grafana's built-in interval variables, at values that fit a one-second scrape interval. */
    private static final Map<String, String> BUILT_INS = Map.of(
            "__rate_interval", "1m", "__interval", "15s", "__range", "5m");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{?(\\w+)}?");

    @LocalServerPort
    int port;

    ApiClient client;
    PrometheusServer prometheus;

    @BeforeAll
    void startPrometheusAndRunWorkloads(@TempDir Path workDir) throws IOException {
        client = new ApiClient(port);
        prometheus = PrometheusServer.start(workDir, port, ShippedFiles.ALERT_RULES);
        runWorkloads();
        prometheus.awaitTwoScrapes();
    }

    @AfterAll
    void stopPrometheus() {
        if (prometheus != null) {
            prometheus.close();
        }
    }

    private void runWorkloads() throws IOException {
        List<String> batches = new ArrayList<>();
        // Fail fast: the seed workload.
        batches.add(client.submit(MetricsTest.workload("seed-ff.json")));
        // Cancel: a client cancels a running batch.
        String cancelled = client.submit(Map.of("maxParallelism", 2, "jobs",
                IntStream.range(0, 6).mapToObj(i -> sleep("j" + i, "PT60S")).toList()));
        batches.add(cancelled);
        await().until(() -> client.batch(cancelled).get("counts").get("running").asInt() == 2);
        client.post("/api/v1/batches/" + cancelled + "/cancel", Map.of("reason", "dashboard test"));
        // Continue: every job runs, one fails, one succeeds on its third attempt.
        batches.add(client.submit(Map.of("failurePolicy", "CONTINUE", "jobs", List.of(
                sleep("ok", "PT0.05S"),
                sleep("bad", "PT0.05S", Map.of("failAfter", "PT0S")),
                Map.of("id", "flaky", "type", "sleep", "params", Map.of("duration", "PT0S", "failAttempts", 2),
                        "retry", Map.of("maxAttempts", 3, "backoff", "PT0.01S")),
                sleep("quick", "PT0S")))));
        // A job that ignores cancellation is abandoned after the grace period.
        batches.add(client.submit(Map.of("jobs", List.of(
                sleep("stuck", "PT2S", Map.of("ignoreCancel", true, "steps", 1)),
                sleep("fails", "PT0.1S", Map.of("failAfter", "PT0.05S"))))));
        for (String id : batches) {
            client.awaitTerminal(id);
        }
        // Client errors for the HTTP error panel: an unknown batch, and cancelling a finished one.
        assertThat(client.get("/api/v1/batches/01890a5d-ac96-774b-bcce-b302099a8057").status()).isEqualTo(404);
        assertThat(client.post("/api/v1/batches/" + batches.getFirst() + "/cancel", Map.of()).status()).isEqualTo(409);
        // A JVM that never collected has no GC pause series yet; a running service always has.
        System.gc();
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

    @Test
    void everyPanelQueryReturnsSeries() {
        var softly = new SoftAssertions();
        List<ShippedFiles.PanelQuery> queries = ShippedFiles.panelQueries(ShippedFiles.dashboard());
        assertThat(queries).isNotEmpty();
        for (ShippedFiles.PanelQuery query : queries) {
            String promql = substitute(query.expr());
            softly.assertThatCode(() -> assertThat(prometheus.query(promql).get("result"))
                            .as("no series").isNotEmpty())
                    .as("panel '%s' query %s: %s", query.panel(), query.refId(), promql)
                    .doesNotThrowAnyException();
        }
        softly.assertAll();
    }

    @Test
    void everyAlertExpressionReturnsSeries() {
        var softly = new SoftAssertions();
        for (ShippedFiles.AlertRule rule : ShippedFiles.alertRules()) {
            softly.assertThatCode(() -> assertThat(prometheus.query(rule.asBool()).get("result"))
                            .as("no series").isNotEmpty())
                    .as("alert %s: %s", rule.name(), rule.asBool())
                    .doesNotThrowAnyException();
        }
        softly.assertAll();
    }

    @Test
    void prometheusEvaluatesEveryRuleWithoutError() {
        int expected = ShippedFiles.alertRules().size();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<JsonNode> rules = prometheus.api("/api/v1/rules").get("groups").valueStream()
                    .flatMap(group -> group.get("rules").valueStream())
                    .toList();
            assertThat(rules).hasSize(expected).allSatisfy(rule -> {
                assertThat(rule.get("health").asString()).as(rule.toString()).isEqualTo("ok");
                assertThat(rule.get("lastEvaluation").asString()).as(rule.toString()).doesNotStartWith("0001");
            });
        });
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
