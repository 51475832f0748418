package dev.failfast.api;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A worker reporting failure; the batch's failure policy and {@code onError} rules apply
 * to it as to a local job's.
 *
 * @param errorType a stable type rules can match; {@code JOB_ERROR} when absent
 * @param message what went wrong
 * @param status the HTTP status the failure comes from, when it does
 * @param retryAfter asks for the job to be run again after this wait (a deferral, like a
 * target's {@code Retry-After})
 */
@Schema(description = "Failure: an error type and message, optionally an HTTP status and a Retry-After")
record FailRequest(@Schema(description = "A stable type onError rules match; default JOB_ERROR",
        example = "S3_NOT_FOUND") @Pattern(regexp = "[A-Z][A-Z0-9_]{0,63}",
                message = "must be 1 to 64 upper-case letters, digits or '_', starting with a letter") @Nullable String errorType,
        @Schema(description = "What went wrong", example = "s3://bucket/a.csv: 404 Not Found") @Size(
                max = 2000) @Pattern(regexp = BatchRequest.NO_NUL,
                        message = BatchRequest.NO_NUL_MESSAGE) @Nullable String message,
        @Schema(description = "The HTTP status the failure comes from, for onError httpStatus rules",
                example = "404") @Min(100) @Max(599) @Nullable Integer status,
        @Schema(description = "Run the job again after this wait, within failfast.engine.max-retry-later",
                example = "PT5S") @Nullable Duration retryAfter) {
}
