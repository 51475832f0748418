package dev.failfast.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The shipped dashboard and alert rules, read as files: their shape,
 * {@code promtool check rules}, and promtool unit tests of every alert.
 * {@link PrometheusQueriesTest} runs every query against a real Prometheus.
 */
class DashboardAndAlertsTest {

    private static final String DATASOURCE = "${datasource}";

    @Test
    void dashboardTakesItsDatasourceNamespaceAndInstanceFromVariables() {
        JsonNode dashboard = ShippedFiles.dashboard();

        assertThat(dashboard.get("uid").asString()).isEqualTo("failfast");
        JsonNode variables = dashboard.get("templating").get("list");
        assertThat(variables.valueStream().map(v -> v.get("name").asString())).containsExactly("datasource",
                "namespace", "instance");
        assertThat(variables.get(0).get("type").asString()).isEqualTo("datasource");
        assertThat(variables.get(0).get("query").asString()).isEqualTo("prometheus");
        for (JsonNode variable : List.of(variables.get(1), variables.get(2))) {
            assertThat(variable.get("datasource").get("uid").asString()).isEqualTo(DATASOURCE);
            assertThat(variable.get("definition").asString()).startsWith("label_values(");
        }

        List<JsonNode> panels = ShippedFiles.panels(dashboard);
        assertThat(panels.stream().map(p -> p.get("id").asInt()).collect(Collectors.toSet())).hasSameSizeAs(panels);
        for (JsonNode panel : panels) {
            if (panel.get("type").asString().equals("row")) {
                continue;
            }
            String title = panel.get("title").asString();
            assertThat(panel.get("datasource").get("uid").asString()).as(title).isEqualTo(DATASOURCE);
            assertThat(panel.get("description").asString()).as(title).isNotBlank();
            assertThat(panel.get("targets")).as(title).isNotEmpty();
            for (JsonNode target : panel.get("targets")) {
                assertThat(target.get("datasource").get("uid").asString()).as(title).isEqualTo(DATASOURCE);
                assertThat(target.get("expr").asString()).as(title)
                    .contains("namespace=~\"$namespace\"", "instance=~\"$instance\"");
            }
        }
    }

    @Test
    void dashboardShowsWhatOperatorsNeed() {
        String queries = ShippedFiles.panelQueries(ShippedFiles.dashboard())
            .stream()
            .map(ShippedFiles.PanelQuery::expr)
            .collect(Collectors.joining("\n"));

        assertThat(queries).contains("failfast_batches_finished_total", "failfast_jobs_finished_total",
                "failfast_jobs_running", "failfast_jobs_pending", "executor_active_threads",
                "histogram_quantile(0.99, sum by (type, le) " + "(rate(failfast_job_duration_seconds_bucket",
                "failfast_cancellations_total", "failfast_cancellation_propagation_seconds_bucket",
                "failfast_stop_discarded_job_seconds_total", "failfast_stop_saved_job_seconds_total",
                "failfast_jobs_abandoned_total", "failfast_admission_rejections_total",
                "http_server_requests_seconds_count", "http_server_requests_seconds_bucket", "jvm_memory_used_bytes",
                "jvm_gc_pause_seconds", "jvm_threads_live_threads", "failfast_notifications_delivered_total",
                "failfast_notification_attempts_total", "failfast_notifications_failed_total",
                "failfast_notifications_pending", "failfast_notifications_failed_kept",
                "failfast_notification_delivery_latency_seconds_bucket", "failfast_workers_connected",
                "failfast_remote_jobs_waiting", "failfast_remote_claim_latency_seconds_bucket",
                "failfast_remote_cancel_latency_seconds_bucket");
    }

    @Test
    void everyAlertHasASeverityAndARunbookSection() throws IOException {
        String operations = Files.readString(Path.of("docs/operations.md"));
        List<ShippedFiles.AlertRule> rules = ShippedFiles.alertRules();

        assertThat(rules).hasSizeGreaterThanOrEqualTo(5);
        assertThat(new HashSet<>(rules.stream().map(ShippedFiles.AlertRule::name).toList())).hasSameSizeAs(rules);
        for (ShippedFiles.AlertRule rule : rules) {
            assertThat(rule.labels().get("severity")).as(rule.name()).isIn("warning", "critical");
            assertThat(rule.annotations()).as(rule.name()).containsKeys("summary", "description", "runbook_url");
            String anchor = rule.name().toLowerCase(Locale.ROOT);
            assertThat((String) rule.annotations().get("runbook_url")).as(rule.name()).endsWith("#" + anchor);
            assertThat(operations).as("docs/operations.md has a section for " + rule.name())
                .containsIgnoringCase("### " + rule.name());
        }
    }

    @Test
    void promtoolAcceptsTheAlertRules() throws IOException, InterruptedException {
        String output = promtool("check", "rules", ShippedFiles.ALERT_RULES.toString());

        assertThat(output).contains("SUCCESS: " + ShippedFiles.alertRules().size() + " rules found");
    }

    /**
     * Each alert fires on synthetic series that cross its threshold, and not on healthy
     * ones.
     */
    @Test
    void promtoolUnitTestsOfTheAlertRulesPass() throws IOException, InterruptedException {
        String output = promtool("test", "rules", "src/test/resources/prometheus/failfast-alerts-test.yaml");

        assertThat(output).contains("SUCCESS");
    }

    /** Runs promtool and returns its output; fails on a non-zero exit. */
    private static String promtool(String... args) throws IOException, InterruptedException {
        Optional<Path> promtool = PrometheusServer.findOnPath("promtool");
        if (promtool.isEmpty()) {
            assertThat("true".equals(System.getenv("CI")))
                .as("CI=true but promtool is not on the PATH (.ci/run installs Debian's prometheus)")
                .isFalse();
            Assumptions.abort("promtool is not installed (apt-get install prometheus); set CI=true to require it");
        }
        List<String> command = new ArrayList<>(List.of(promtool.get().toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }

}
