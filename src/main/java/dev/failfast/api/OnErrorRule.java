package dev.failfast.api;

import dev.failfast.api.BatchRequest.RetryRequest;
import dev.failfast.batch.ErrorAction;
import dev.failfast.batch.ErrorRule;
import dev.failfast.batch.HttpStatusMatch;
import dev.failfast.batch.JobError;
import dev.failfast.batch.RetryPolicy;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * One rule of a batch's {@code onError} list, as a client writes it and as the batch's
 * status shows it.
 */
@Schema(description = "A rule tried on each failed attempt, in list order; the first whose every given condition "
        + "holds decides what the failure does. A rule with no condition matches every failure, so no rule may "
        + "follow it.")
record OnErrorRule(
        @Schema(description = "The error's type, exactly: TIMEOUT, HTTP_STATUS, IO, JOB_ERROR, "
                + "RESULT_TOO_LARGE, or a job type's own code",
                example = "IO") @Size(min = 1, max = JobError.MAX_TYPE_LENGTH) @Pattern(regexp = BatchRequest.NO_NUL,
                        message = BatchRequest.NO_NUL_MESSAGE) @Nullable String errorType,

        @Schema(description = "The HTTP status the error carries: one status as an integer (404) or a string "
                + "(\"404\"), or a class as a string (\"4xx\")", implementation = Object.class,
                oneOf = {
                        Integer.class, String.class },
                example = "4xx") @Nullable JsonNode httpStatus,

        @Schema(description = "The exception class that ended the attempt: its full or its simple name",
                example = "java.net.ConnectException") @Size(max = 512) @Pattern(regexp = CLASS_NAME,
                        message = "must be a class name, simple or qualified by its package") @Nullable String exception,

        @Schema(description = "A regular expression (java.util.regex) found somewhere in the error's message; "
                + "its search is bounded, and a search that runs too long counts as no match",
                example = "connection (refused|reset)") @Size(
                        max = ErrorRule.MAX_MESSAGE_PATTERN_LENGTH) @Nullable String message,

        @Schema(description = "FAIL_BATCH: the job fails and the batch is cancelled at once, whatever its "
                + "tolerance (cause JOB_FAILED naming the rule). COUNT: the job fails, no retry, and the failure "
                + "counts toward the tolerance. IGNORE: the job fails, no retry, and the failure never counts. "
                + "RETRY: retried under the rule's retry, else the job's; once used up the failure counts",
                requiredMode = Schema.RequiredMode.REQUIRED) @NotNull ErrorAction action,

        @Schema(description = "For RETRY only: the retry policy to use instead of the job's, shaped like a job's "
                + "retry and under the same limits") @Valid @Nullable RetryRequest retry){

    /** A Java class name, simple or qualified, nested classes with {@code $} included. */
    static final String CLASS_NAME = "[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*";

    /** A rule as the batch's status shows it: a single status as an integer. */
    static OnErrorRule of(ErrorRule rule) {
        HttpStatusMatch status = rule.httpStatus();
        JsonNode statusNode = status == null ? null
                : status.from() == status.to() ? JsonNodeFactory.instance.numberNode(status.from())
                        : JsonNodeFactory.instance.stringNode(status.toString());
        RetryPolicy retry = rule.retry();
        return new OnErrorRule(rule.errorType(), statusNode, rule.exception(),
                rule.message() == null ? null : rule.message().pattern(), rule.action(),
                retry == null ? null : new RetryRequest(retry.maxAttempts(), retry.backoff(), retry.multiplier(),
                        retry.maxBackoff()));
    }

}
