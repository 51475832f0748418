package dev.failfast.api;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/**
 * @param reason why the client cancels, recorded in the cancellation cause
 */
record CancelRequest(@Schema(description = "Why the batch is cancelled; kept in the cancellation cause",
        example = "wrong input file") @Size(max = 1000) @Pattern(regexp = BatchRequest.NO_NUL,
                message = BatchRequest.NO_NUL_MESSAGE) @Nullable String reason) {
}
