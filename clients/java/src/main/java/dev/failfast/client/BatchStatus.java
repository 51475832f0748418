package dev.failfast.client;

import java.util.Objects;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * A batch's status, as {@code GET /api/v1/batches/{id}} answers it: the members most
 * callers need, and the whole answer as {@link #json()}.
 *
 * @param id the batch's id
 * @param name its name, or null
 * @param state its state
 * @param counts its jobs by state
 * @param cancellation why it stopped, or null while nothing stopped it
 * @param json the whole answer
 */
public record BatchStatus(String id, String name, BatchState state, Counts counts, Cancellation cancellation,
        JsonNode json) {

    /** Checks the members that are always there. */
    public BatchStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(counts, "counts");
        Objects.requireNonNull(json, "json");
    }

    /** Whether the batch has ended. */
    public boolean isTerminal() {
        return state.isTerminal();
    }

    /** Why it stopped, when something stopped it. */
    public Optional<Cancellation> stop() {
        return Optional.ofNullable(cancellation);
    }

    static BatchStatus from(JsonNode json) {
        JsonNode cancellation = json.path("cancellation");
        return new BatchStatus(json.path("id").asString(), text(json, "name"),
                BatchState.valueOf(json.path("state").asString()), Counts.from(json.path("counts")),
                cancellation.isObject() ? Cancellation.from(cancellation) : null, json);
    }

    static String text(JsonNode json, String field) {
        JsonNode value = json.path(field);
        return value.isMissingNode() || value.isNull() ? null : value.asString();
    }

    /**
     * A batch's jobs by state.
     *
     * @param total all jobs
     * @param pending not started
     * @param running running
     * @param succeeded succeeded
     * @param failed failed
     * @param cancelled stopped while running
     * @param skipped never started
     */
    public record Counts(int total, int pending, int running, int succeeded, int failed, int cancelled, int skipped) {

        static Counts from(JsonNode json) {
            return new Counts(json.path("total").asInt(), json.path("pending").asInt(), json.path("running").asInt(),
                    json.path("succeeded").asInt(), json.path("failed").asInt(), json.path("cancelled").asInt(),
                    json.path("skipped").asInt());
        }

    }

    /**
     * What stopped a batch.
     *
     * @param cause the cause type, such as {@code JOB_FAILED} or {@code USER_REQUESTED}
     * @param jobId the job whose failure it was, or null
     * @param reason the reason a user gave, or null
     * @param errorType the failed job's error type, or null
     * @param message the failed job's error message, or null
     * @param requestedAt when the cause was recorded (RFC 3339), or null
     */
    public record Cancellation(String cause, String jobId, String reason, String errorType, String message,
            String requestedAt) {

        static Cancellation from(JsonNode json) {
            return new Cancellation(text(json, "cause"), text(json, "jobId"), text(json, "reason"),
                    text(json, "errorType"), text(json, "message"), text(json, "requestedAt"));
        }

    }

}
