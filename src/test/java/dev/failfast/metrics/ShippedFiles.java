package dev.failfast.metrics;

import dev.failfast.ApiClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

/**
 * The Grafana dashboard and the Prometheus alert rules the Helm chart ships, as the tests
 * read them.
 */
final class ShippedFiles {

    static final Path DASHBOARD = Path.of("helm/failfast/dashboards/failfast.json");
    static final Path ALERT_RULES = Path.of("helm/failfast/rules/failfast-alerts.yaml");

    /** {@code <query> <comparison> <threshold>}, the form every alert expression has. */
    private static final Pattern ALERT_FORM = Pattern
        .compile("(?s)^(.*\\S)\\s*(>=|<=|==|!=|>|<)\\s*([0-9.eE+-]+)\\s*$");

    /** One query of one panel. */
    record PanelQuery(String panel, String refId, String expr) {
    }

    /**
     * One alert rule.
     *
     * @param query the expression without its threshold comparison
     */
    record AlertRule(String name, String query, String comparison, double threshold, Map<String, Object> labels,
            Map<String, Object> annotations) {

        /**
         * The expression with {@code bool}: one 0/1 series per series of the query,
         * firing or not.
         */
        String asBool() {
            return "(" + query + ") " + comparison + " bool " + threshold;
        }
    }

    private ShippedFiles() {
    }

    static JsonNode dashboard() {
        try {
            return ApiClient.parse(Files.readString(DASHBOARD));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every panel, rows' nested panels included. */
    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.get("panels")) {
            panels.add(panel);
            if (panel.has("panels")) {
                panel.get("panels").forEach(panels::add);
            }
        }
        return panels;
    }

    static List<PanelQuery> panelQueries(JsonNode dashboard) {
        List<PanelQuery> queries = new ArrayList<>();
        for (JsonNode panel : panels(dashboard)) {
            if (panel.has("targets")) {
                for (JsonNode target : panel.get("targets")) {
                    queries.add(new PanelQuery(panel.get("title").asString(), target.get("refId").asString(),
                            target.get("expr").asString()));
                }
            }
        }
        return queries;
    }

    @SuppressWarnings("unchecked")
    static List<AlertRule> alertRules() {
        Map<String, Object> file;
        try {
            file = new Yaml().load(Files.readString(ALERT_RULES));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<AlertRule> rules = new ArrayList<>();
        for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                String name = (String) rule.get("alert");
                String expr = ((String) rule.get("expr")).strip();
                Matcher form = ALERT_FORM.matcher(expr);
                if (!form.matches()) {
                    throw new IllegalArgumentException(
                            name + ": expr is not '<query> <comparison> <threshold>': " + expr);
                }
                rules.add(new AlertRule(name, form.group(1), form.group(2), Double.parseDouble(form.group(3)),
                        (Map<String, Object>) rule.getOrDefault("labels", Map.of()),
                        (Map<String, Object>) rule.getOrDefault("annotations", Map.of())));
            }
        }
        return rules;
    }

}
