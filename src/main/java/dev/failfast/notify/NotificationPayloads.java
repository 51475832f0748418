package dev.failfast.notify;

import dev.failfast.batch.Batch;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.JobCounts;
import dev.failfast.batch.NotificationEvent;
import dev.failfast.batch.StopReport;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.PayloadWriter;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The body of a notification, in the Standard Webhooks shape: {@code type},
 * {@code timestamp} and {@code data}, which holds the batch as its status shows it (id,
 * name, labels, state, run, counts, the cause with its stop report, times) and a link to
 * it. Field names follow the API's batch status, so one client model reads both.
 */
public final class NotificationPayloads implements PayloadWriter {

    private final JsonMapper json;

    private final @Nullable URI publicUrl;

    public NotificationPayloads(JsonMapper json, FailfastProperties properties) {
        this.json = json;
        this.publicUrl = properties.notifications().publicUrl();
    }

    @Override
    public String payload(Batch batch, NotificationEvent event, Instant at) {
        ObjectNode root = json.createObjectNode();
        root.put("type", event.value());
        root.put("timestamp", at.toString());
        ObjectNode data = root.putObject("data");
        data.put("id", batch.id().toString());
        data.put("name", batch.spec().name());
        ObjectNode labels = data.putObject("labels");
        batch.spec()
            .labels()
            .entrySet()
            .stream()
            .sorted(java.util.Map.Entry.comparingByKey())
            .forEach(label -> labels.put(label.getKey(), label.getValue()));
        data.put("tenant", batch.owner().tenant());
        data.put("state", batch.state().name());
        data.put("run", batch.run());
        counts(data.putObject("counts"), batch.counts());
        CancellationCause cause = batch.cancellation();
        if (cause == null) {
            data.putNull("cancellation");
        }
        else {
            cause(data.putObject("cancellation"), cause);
        }
        data.put("createdAt", batch.createdAt().toString());
        putInstant(data, "startedAt", batch.startedAt());
        putInstant(data, "finishedAt", batch.finishedAt());
        String path = "/api/v1/batches/" + batch.id();
        data.putObject("links").put("batch", publicUrl == null ? path : publicUrl.resolve(path).toString());
        return json.writeValueAsString(root);
    }

    private static void counts(ObjectNode node, JobCounts counts) {
        node.put("total", counts.total());
        node.put("pending", counts.pending());
        node.put("running", counts.running());
        node.put("succeeded", counts.succeeded());
        node.put("failed", counts.failed());
        node.put("cancelled", counts.cancelled());
        node.put("skipped", counts.skipped());
    }

    private static void cause(ObjectNode node, CancellationCause cause) {
        node.put("cause", cause.cause().name());
        node.put("jobId", cause.jobId());
        node.put("errorType", cause.errorType());
        node.put("message", cause.message());
        node.put("reason", cause.reason());
        node.put("requestedBy", cause.requestedBy());
        node.put("requestedAt", cause.requestedAt().toString());
        putInstant(node, "completedAt", cause.completedAt());
        node.put("propagationMillis", cause.propagationMillis());
        node.put("rule", cause.rule());
        StopReport report = cause.report();
        if (report == null) {
            node.putNull("report");
            return;
        }
        ObjectNode r = node.putObject("report");
        r.put("runningAtCause", report.runningAtCause());
        r.put("stoppedRunning", report.stoppedRunning());
        r.put("neverStarted", report.neverStarted());
        r.put("abandoned", report.abandoned());
        r.put("discardedJobSeconds", report.discardedJobSeconds());
        r.put("savedJobSeconds", report.savedJobSeconds());
    }

    private static void putInstant(ObjectNode node, String name, @Nullable Instant value) {
        if (value == null) {
            node.putNull(name);
        }
        else {
            node.put(name, value.toString());
        }
    }

}
