package dev.failfast.api;

import dev.failfast.batch.SuccessPolicy;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A batch's success policy, as a client writes it and as the batch's status shows it:
 * exactly one of its fields.
 */
@Schema(description = "When the batch has succeeded before all its jobs ran: give exactly one field. Once met, the "
        + "batch ends SUCCEEDED with cause SUCCESS_POLICY_MET and its other jobs are stopped as fail-fast stops "
        + "them; once it can no longer be met, the batch ends FAILED with cause SUCCESS_POLICY_UNREACHABLE.")
record SucceedWhen(
        @Schema(description = "At least this many jobs succeeded (1: the first success wins, a race of mirrors); "
                + "at most the number of jobs", example = "1") @Min(1) @Nullable Integer minSucceeded,

        @ArraySchema(schema = @Schema(description = "A job id of this batch", example = "primary"), minItems = 1,
                arraySchema = @Schema(description = "Every one of these jobs succeeded; ids of this batch's jobs, "
                        + "each once")) @Nullable List<@NotNull @Pattern(regexp = BatchRequest.JOB_ID,
                                message = "must match " + BatchRequest.JOB_ID) String> jobIds) {

    static @Nullable SucceedWhen of(@Nullable SuccessPolicy policy) {
        return switch (policy) {
            case null -> null;
            case SuccessPolicy.MinSucceeded(int count) -> new SucceedWhen(count, null);
            case SuccessPolicy.JobIds(var ids) -> new SucceedWhen(null, List.copyOf(ids));
        };
    }

}
