package dev.failfast.store;

import dev.failfast.batch.AttemptRecord;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.JobError;
import dev.failfast.batch.NotificationEvent;
import dev.failfast.batch.NotificationTarget;
import dev.failfast.batch.Redrive;
import dev.failfast.batch.RunSummary;
import dev.failfast.batch.StopReport;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSON text columns of migrations V10 and V11: a job's attempt history
 * ({@code job.attempt_history}), a cause's stop report ({@code batch.cause_report}), the
 * redrive that started a batch's run ({@code batch.redrive}) and its past runs
 * ({@code batch.past_runs}), and of V12: a batch's notification targets
 * ({@code batch.notifications}). The field names are the stored format: renaming one
 * loses what rows hold.
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
        return report == null ? null : json.writeValueAsString(reportNode(report));
    }

    private ObjectNode reportNode(StopReport report) {
        ObjectNode node = json.createObjectNode();
        node.put("runningAtCause", report.runningAtCause());
        node.put("stoppedRunning", report.stoppedRunning());
        node.put("neverStarted", report.neverStarted());
        node.put("abandoned", report.abandoned());
        node.put("discardedJobSeconds", report.discardedJobSeconds());
        if (report.savedJobSeconds() != null) {
            node.put("savedJobSeconds", report.savedJobSeconds().doubleValue());
        }
        return node;
    }

    @Nullable StopReport report(@Nullable String stored) {
        return stored == null ? null : report(json.readTree(stored));
    }

    private static StopReport report(JsonNode node) {
        return new StopReport(node.path("runningAtCause").asInt(), node.path("stoppedRunning").asInt(),
                node.path("neverStarted").asInt(), node.path("abandoned").asInt(),
                node.path("discardedJobSeconds").asDouble(),
                node.hasNonNull("savedJobSeconds") ? node.get("savedJobSeconds").asDouble() : null);
    }

    /** The redrive that started a batch's current run: null in its first run. */
    @Nullable String redrive(@Nullable Redrive redrive) {
        return redrive == null ? null : json.writeValueAsString(redriveNode(redrive));
    }

    @Nullable Redrive redrive(@Nullable String stored) {
        return stored == null ? null : redrive(json.readTree(stored));
    }

    private ObjectNode redriveNode(Redrive redrive) {
        ObjectNode node = json.createObjectNode();
        node.put("requestedAt", redrive.requestedAt().toString());
        node.put("requestedBy", redrive.requestedBy());
        node.put("jobs", redrive.jobs());
        putString(node, "idempotencyKey", redrive.idempotencyKey());
        putString(node, "requestFingerprint", redrive.requestFingerprint());
        node.put("keptFailures", redrive.keptFailures());
        return node;
    }

    private static Redrive redrive(JsonNode node) {
        return new Redrive(Instant.parse(node.path("requestedAt").asString()), node.path("requestedBy").asString(),
                node.path("jobs").asInt(), text(node, "idempotencyKey"), text(node, "requestFingerprint"),
                node.path("keptFailures").asInt(0));
    }

    /** A batch's own notification targets as stored: null when it has none. */
    @Nullable String notifications(List<NotificationTarget> targets) {
        if (targets.isEmpty()) {
            return null;
        }
        ArrayNode array = json.createArrayNode();
        for (NotificationTarget target : targets) {
            ObjectNode node = array.addObject();
            node.put("url", target.url().toString());
            ArrayNode events = node.putArray("events");
            target.events().stream().map(NotificationEvent::value).sorted().forEach(events::add);
            putString(node, "secret", target.secret());
            if (!target.headers().isEmpty()) {
                node.set("headers", target.headers());
            }
        }
        return json.writeValueAsString(array);
    }

    List<NotificationTarget> notifications(@Nullable String stored) {
        if (stored == null) {
            return List.of();
        }
        List<NotificationTarget> targets = new ArrayList<>();
        for (JsonNode node : json.readTree(stored)) {
            Set<NotificationEvent> events = EnumSet.noneOf(NotificationEvent.class);
            for (JsonNode event : node.path("events")) {
                events.add(NotificationEvent.of(event.asString())
                    .orElseThrow(() -> new IllegalStateException("Unknown notification event stored: " + event)));
            }
            JsonNode headers = node.path("headers");
            targets.add(new NotificationTarget(URI.create(node.path("url").asString()), events, text(node, "secret"),
                    headers.isObject() ? (ObjectNode) headers : json.createObjectNode()));
        }
        return targets;
    }

    /** A batch's runs before its current one: null until its first redrive. */
    @Nullable String pastRuns(List<RunSummary> runs) {
        if (runs.isEmpty()) {
            return null;
        }
        ArrayNode array = json.createArrayNode();
        for (RunSummary run : runs) {
            ObjectNode node = array.addObject();
            node.put("number", run.number());
            node.put("queuedAt", run.queuedAt().toString());
            putString(node, "startedAt", run.startedAt() == null ? null : run.startedAt().toString());
            node.put("finishedAt", run.finishedAt().toString());
            node.put("state", run.state().name());
            CancellationCause cause = run.cause();
            if (cause != null) {
                node.set("cause", causeNode(cause));
            }
            if (run.redrive() != null) {
                node.set("redrive", redriveNode(run.redrive()));
            }
        }
        return json.writeValueAsString(array);
    }

    List<RunSummary> pastRuns(@Nullable String stored) {
        if (stored == null) {
            return List.of();
        }
        List<RunSummary> runs = new ArrayList<>();
        for (JsonNode node : json.readTree(stored)) {
            String startedAt = text(node, "startedAt");
            JsonNode cause = node.path("cause");
            JsonNode redrive = node.path("redrive");
            runs.add(new RunSummary(node.path("number").asInt(), Instant.parse(node.path("queuedAt").asString()),
                    startedAt == null ? null : Instant.parse(startedAt),
                    Instant.parse(node.path("finishedAt").asString()),
                    BatchState.valueOf(node.path("state").asString()), cause.isObject() ? cause(cause) : null,
                    redrive.isObject() ? redrive(redrive) : null));
        }
        return runs;
    }

    /** A past run's cause: the columns a current cause has, as one object. */
    private ObjectNode causeNode(CancellationCause cause) {
        ObjectNode node = json.createObjectNode();
        node.put("cause", cause.cause().name());
        putString(node, "jobId", cause.jobId());
        putString(node, "errorType", cause.errorType());
        putString(node, "message", cause.message());
        putString(node, "reason", cause.reason());
        putString(node, "requestedBy", cause.requestedBy());
        node.put("requestedAt", cause.requestedAt().toString());
        putString(node, "completedAt", cause.completedAt() == null ? null : cause.completedAt().toString());
        putString(node, "rule", cause.rule());
        if (cause.report() != null) {
            node.set("report", reportNode(cause.report()));
        }
        return node;
    }

    private static CancellationCause cause(JsonNode node) {
        String completedAt = text(node, "completedAt");
        JsonNode report = node.path("report");
        return new CancellationCause(CauseType.valueOf(node.path("cause").asString()), text(node, "jobId"),
                text(node, "errorType"), text(node, "message"), text(node, "reason"), text(node, "requestedBy"),
                Instant.parse(node.path("requestedAt").asString()),
                completedAt == null ? null : Instant.parse(completedAt), text(node, "rule"),
                report.isObject() ? report(report) : null);
    }

    private static void putString(ObjectNode node, String name, @Nullable String value) {
        if (value != null) {
            node.put(name, value);
        }
    }

    /**
     * A member's text; null when it is absent or null. Also read by {@link PoliciesJson}.
     */
    static @Nullable String text(JsonNode node, String name) {
        return node.hasNonNull(name) ? node.get(name).asString() : null;
    }

}
