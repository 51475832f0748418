package dev.failfast.client;

import java.util.Objects;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * A job of a batch, as {@code GET /api/v1/batches/{id}/jobs} lists it: the members most
 * callers need, and the whole entry as {@link #json()}.
 *
 * @param id the job's id
 * @param type its type ({@code sleep}, {@code http}, {@code remote:download}, …)
 * @param state its state
 * @param attempts how many attempts started
 * @param result its result (a JSON null when it has none)
 * @param error its error, or null
 * @param json the whole entry
 */
public record JobStatus(String id, String type, JobState state, int attempts, JsonNode result, JobError error,
        JsonNode json) {

    /** Checks the members that are always there. */
    public JobStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(json, "json");
    }

    /** The job's error, when it has one. */
    public Optional<JobError> failure() {
        return Optional.ofNullable(error);
    }

    static JobStatus from(JsonNode json) {
        JsonNode error = json.path("error");
        JsonNode result = json.path("result");
        return new JobStatus(json.path("id").asString(), json.path("type").asString(),
                JobState.valueOf(json.path("state").asString()), json.path("attempts").asInt(),
                result.isMissingNode() ? Transport.JSON.nullNode() : result,
                error.isObject() ? JobError.from(error) : null, json);
    }

    /**
     * A job's error.
     *
     * @param type its error type, such as {@code HTTP_STATUS} or {@code S3_ERROR}
     * @param message its message, or null
     * @param httpStatus the HTTP-like status it carried, or null
     */
    public record JobError(String type, String message, Integer httpStatus) {

        static JobError from(JsonNode json) {
            JsonNode status = json.path("httpStatus");
            return new JobError(BatchStatus.text(json, "type"), BatchStatus.text(json, "message"),
                    status.isNumber() ? Integer.valueOf(status.asInt()) : null);
        }

    }

}
