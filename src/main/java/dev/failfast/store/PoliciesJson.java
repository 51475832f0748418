package dev.failfast.store;

import dev.failfast.batch.BatchPolicies;
import dev.failfast.batch.ErrorAction;
import dev.failfast.batch.ErrorRule;
import dev.failfast.batch.HttpStatusMatch;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.batch.SuccessPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A batch's policies as the JSON text of its {@code policies} column, in the shape a
 * client writes them: written once with the batch, read with it by every replica.
 */
final class PoliciesJson {

    /** Policies read lately, by their text: most reads are of batches read before. */
    private static final int CACHED = 256;

    private final JsonMapper json;

    // A replica reads a batch's row at every transaction on it: its policies (and their
    // regular expressions) are parsed once, not at every read.
    private final Map<String, BatchPolicies> read = Collections
        .synchronizedMap(new LinkedHashMap<>(CACHED, 0.75f, true) {

            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, BatchPolicies> eldest) {
                return size() > CACHED;
            }

        });

    PoliciesJson(JsonMapper json) {
        this.json = json;
    }

    /** The column's text; null for a batch with no policy. */
    @Nullable String write(BatchPolicies policies) {
        if (policies.equals(BatchPolicies.NONE)) {
            return null;
        }
        ObjectNode root = json.createObjectNode();
        if (policies.maxFailureRatio() != null) {
            root.put("maxFailureRatio", policies.maxFailureRatio());
        }
        if (policies.minJobsForRatio() > 0) {
            root.put("minJobsForRatio", policies.minJobsForRatio());
        }
        ArrayNode rules = root.putArray("onError");
        policies.onError().forEach(rule -> rules.add(rule(rule)));
        switch (policies.succeedWhen()) {
            case null -> {
            }
            case SuccessPolicy.MinSucceeded(int count) -> root.putObject("succeedWhen").put("minSucceeded", count);
            case SuccessPolicy.JobIds(var ids) -> {
                ArrayNode list = root.putObject("succeedWhen").putArray("jobIds");
                ids.forEach(list::add);
            }
        }
        return json.writeValueAsString(root);
    }

    private ObjectNode rule(ErrorRule rule) {
        ObjectNode node = json.createObjectNode();
        putIfPresent(node, "errorType", rule.errorType());
        putIfPresent(node, "httpStatus", rule.httpStatus() == null ? null : rule.httpStatus().toString());
        putIfPresent(node, "exception", rule.exception());
        putIfPresent(node, "message", rule.message() == null ? null : rule.message().pattern());
        node.put("action", rule.action().name());
        RetryPolicy retry = rule.retry();
        if (retry != null) {
            node.putObject("retry")
                .put("maxAttempts", retry.maxAttempts())
                .put("backoff", retry.backoff().toString())
                .put("multiplier", retry.multiplier())
                .put("maxBackoff", retry.maxBackoff().toString());
        }
        return node;
    }

    private static void putIfPresent(ObjectNode node, String field, @Nullable String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    /** The policies the column's text holds; NONE for null (a batch with none). */
    BatchPolicies read(@Nullable String text) {
        if (text == null) {
            return BatchPolicies.NONE;
        }
        BatchPolicies cached = read.get(text);
        if (cached != null) {
            return cached;
        }
        BatchPolicies policies = parse(text);
        read.put(text, policies);
        return policies;
    }

    private BatchPolicies parse(String text) {
        JsonNode root = json.readTree(text);
        JsonNode ratio = root.path("maxFailureRatio");
        List<ErrorRule> rules = new ArrayList<>();
        root.path("onError").forEach(rule -> rules.add(rule(rule)));
        return new BatchPolicies(ratio.isNumber() ? ratio.doubleValue() : null, root.path("minJobsForRatio").asInt(0),
                rules, successPolicy(root.path("succeedWhen")));
    }

    private static ErrorRule rule(JsonNode node) {
        String status = JsonColumns.text(node, "httpStatus");
        String message = JsonColumns.text(node, "message");
        JsonNode retry = node.path("retry");
        return new ErrorRule(JsonColumns.text(node, "errorType"), status == null ? null : HttpStatusMatch.parse(status),
                JsonColumns.text(node, "exception"), message == null ? null : Pattern.compile(message),
                ErrorAction.valueOf(node.path("action").asString()),
                retry.isObject() ? new RetryPolicy(retry.path("maxAttempts").asInt(),
                        Duration.parse(retry.path("backoff").asString()), retry.path("multiplier").asDouble(),
                        Duration.parse(retry.path("maxBackoff").asString())) : null);
    }

    private static @Nullable SuccessPolicy successPolicy(JsonNode node) {
        if (node.has("minSucceeded")) {
            return new SuccessPolicy.MinSucceeded(node.path("minSucceeded").asInt());
        }
        if (node.has("jobIds")) {
            Set<String> ids = new LinkedHashSet<>();
            node.path("jobIds").forEach(id -> ids.add(id.asString()));
            return new SuccessPolicy.JobIds(ids);
        }
        return null;
    }

}
