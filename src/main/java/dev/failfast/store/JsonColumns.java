package dev.failfast.store;

import dev.failfast.batch.AttemptRecord;
import dev.failfast.batch.JobError;
import dev.failfast.batch.StopReport;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON text columns of migration V10: a job's attempt history
 * ({@code job.attempt_history}) and a cause's stop report ({@code batch.cause_report}).
 * The field names are the stored format: renaming one loses what rows hold.
 */
final class JsonColumns {

    private final JsonMapper json;

    JsonColumns(JsonMapper json) {
        this.json = json;
    }

    /** A job's attempt history as stored: null when there is none. */
    @Nullable String history(List<AttemptRecord> records, int dropped) {
        if (records.isEmpty() && dropped == 0) {
            return null;
        }
        ObjectNode root = json.createObjectNode();
        root.put("dropped", dropped);
        ArrayNode attempts = root.putArray("attempts");
        for (AttemptRecord record : records) {
            ObjectNode node = attempts.addObject();
            node.put("run", record.run());
            node.put("number", record.number());
            node.put("startedAt", record.startedAt().toString());
            putString(node, "endedAt", record.endedAt() == null ? null : record.endedAt().toString());
            putString(node, "end", record.end() == null ? null : record.end().name());
            JobError error = record.error();
            if (error != null) {
                ObjectNode e = node.putObject("error");
                e.put("type", error.type());
                e.put("message", error.message());
                putString(e, "exception", error.exception());
                if (error.httpStatus() != null) {
                    e.put("httpStatus", error.httpStatus().intValue());
                }
            }
            putString(node, "rule", record.rule());
            putString(node, "backoff", record.backoff() == null ? null : record.backoff().toString());
            putString(node, "backoffReason", record.backoffReason());
            node.put("abandoned", record.abandoned());
        }
        return json.writeValueAsString(root);
    }

    /** The records of a stored history; none for null. */
    List<AttemptRecord> records(@Nullable String stored) {
        if (stored == null) {
            return List.of();
        }
        List<AttemptRecord> records = new ArrayList<>();
        for (JsonNode node : json.readTree(stored).path("attempts")) {
            JsonNode e = node.path("error");
            JobError error = e.isObject() ? new JobError(e.path("type").asString(), e.path("message").asString(),
                    text(e, "exception"), e.hasNonNull("httpStatus") ? e.get("httpStatus").asInt() : null) : null;
            String end = text(node, "end");
            String endedAt = text(node, "endedAt");
            String backoff = text(node, "backoff");
            records.add(new AttemptRecord(node.path("run").asInt(1), node.path("number").asInt(),
                    Instant.parse(node.path("startedAt").asString()), endedAt == null ? null : Instant.parse(endedAt),
                    end == null ? null : AttemptRecord.End.valueOf(end), error, text(node, "rule"),
                    backoff == null ? null : Duration.parse(backoff), text(node, "backoffReason"),
                    node.path("abandoned").asBoolean()));
        }
        return records;
    }

    /** How many records a stored history dropped; 0 for null. */
    int dropped(@Nullable String stored) {
        return stored == null ? 0 : json.readTree(stored).path("dropped").asInt();
    }

    @Nullable String report(@Nullable StopReport report) {
        if (report == null) {
            return null;
        }
        ObjectNode node = json.createObjectNode();
        node.put("runningAtCause", report.runningAtCause());
        node.put("stoppedRunning", report.stoppedRunning());
        node.put("neverStarted", report.neverStarted());
        node.put("abandoned", report.abandoned());
        node.put("discardedJobSeconds", report.discardedJobSeconds());
        if (report.savedJobSeconds() != null) {
            node.put("savedJobSeconds", report.savedJobSeconds().doubleValue());
        }
        return json.writeValueAsString(node);
    }

    @Nullable StopReport report(@Nullable String stored) {
        if (stored == null) {
            return null;
        }
        JsonNode node = json.readTree(stored);
        return new StopReport(node.path("runningAtCause").asInt(), node.path("stoppedRunning").asInt(),
                node.path("neverStarted").asInt(), node.path("abandoned").asInt(),
                node.path("discardedJobSeconds").asDouble(),
                node.hasNonNull("savedJobSeconds") ? node.get("savedJobSeconds").asDouble() : null);
    }

    private static void putString(ObjectNode node, String name, @Nullable String value) {
        if (value != null) {
            node.put(name, value);
        }
    }

    private static @Nullable String text(JsonNode node, String name) {
        return node.hasNonNull(name) ? node.get(name).asString() : null;
    }

}
