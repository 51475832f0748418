package dev.failfast.api;

import dev.failfast.batch.FailurePolicy;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A batch to run. */
@Schema(description = "A batch of jobs to run")
record BatchRequest(
        @Schema(description = "A name for humans; need not be unique", example = "nightly-import") @Size(
                max = 200) @Pattern(regexp = NO_NUL, message = NO_NUL_MESSAGE) @Nullable String name,

        @Schema(description = "Key/value pairs to find the batch by",
                example = "{\"team\": \"data\"}") @Size(max = 50) @Nullable Map<@Pattern(regexp = LABEL_KEY,
                        message = "must match " + LABEL_KEY) String, @NotNull @Size(max = 256) @Pattern(regexp = NO_NUL,
                                message = NO_NUL_MESSAGE) String> labels,

        @Schema(description = "FAIL_FAST cancels the batch when a job fails; CONTINUE runs every job",
                defaultValue = "FAIL_FAST") @Nullable FailurePolicy failurePolicy,

        @Schema(description = "Failures a FAIL_FAST batch tolerates before it is cancelled (failures an IGNORE rule "
                + "excused not counted). Default 0, or no absolute limit when maxFailureRatio is given. Not with "
                + "CONTINUE, which never cancels for failures") @Min(0) @Nullable Integer maxFailures,

        @Schema(description = "FAIL_FAST only: the batch is cancelled (cause FAILURE_RATIO_EXCEEDED) once more than "
                + "this ratio of its finished jobs failed with at least minJobsForRatio finished, or as soon as more "
                + "than this ratio of its jobs must fail whatever the others do. Ignored failures are not counted",
                example = "0.2", minimum = "0",
                maximum = "1") @DecimalMin("0") @DecimalMax("1") @Nullable Double maxFailureRatio,

        @Schema(description = "With maxFailureRatio: jobs that must have finished (succeeded or failed) before the "
                + "ratio is judged on the finished ones; at most the number of jobs. Not given: the ratio is judged "
                + "only against the whole batch, so the batch stops once failure is certain",
                example = "10") @Min(1) @Nullable Integer minJobsForRatio,

        @Schema(description = "Rules tried in order on each failed attempt; the first that matches decides. At most "
                + MAX_RULES + " rules") @Size(max = MAX_RULES) @Nullable List<@NotNull @Valid OnErrorRule> onError,

        @Schema(description = "When the batch has succeeded before all its jobs ran") @Valid @Nullable SucceedWhen succeedWhen,

        @Schema(description = "Jobs of this batch running at once; default from failfast.engine.default-max-parallelism",
                example = "8") @Min(1) @Max(10_000) @Nullable Integer maxParallelism,

        @Schema(description = "ISO-8601 duration after submission (for a redriven run, after its redrive) by which the batch must be finished; at most 365 days",
                type = "string", format = "duration", example = "PT10M") @Nullable Duration deadline,

        @Schema(description = "The jobs, started in this order") @NotEmpty List<@NotNull @Valid JobRequest> jobs,

        @Schema(description = "Webhooks told of this batch's events, besides the tenant's subscriptions; at most "
                + "failfast.notifications.max-targets-per-batch") @Size(
                        max = 100) @Nullable List<@NotNull @Valid NotificationRequest> notifications) {

    /** Most rules a batch's {@code onError} list may have. */
    static final int MAX_RULES = 50;

    static final String LABEL_KEY = "[A-Za-z0-9._/-]{1,63}";
    static final String JOB_ID = "[A-Za-z0-9._:-]{1,128}";

    /**
     * Text without NUL characters, which PostgreSQL cannot store (it would answer 500).
     */
    static final String NO_NUL = "[^\\x00]*";

    static final String NO_NUL_MESSAGE = "must not contain NUL (U+0000) characters";

    /** One job of the batch. */
    record JobRequest(
            @Schema(description = "Unique within the batch", example = "job-001") @NotNull @Pattern(regexp = JOB_ID,
                    message = "must match " + JOB_ID) String id,

            @Schema(description = "A registered job type", example = "sleep") @NotNull @Size(min = 1,
                    max = 64) String type,

            @Schema(description = "The job type's parameters", implementation = Map.class,
                    example = "{\"duration\": \"PT1S\"}") tools.jackson.databind.node.@Nullable ObjectNode params,

            @Schema(description = "How long one attempt may run (ISO-8601); at most 365 days", type = "string",
                    format = "duration", example = "PT30S") @Nullable Duration timeout,

            @Schema(description = "Retries of failed attempts; none by default") @Valid @Nullable RetryRequest retry) {
    }

    /** How often a job is attempted. */
    record RetryRequest(
            @Schema(description = "Attempts in all, the first included",
                    example = "3") @NotNull @Min(1) @Max(100) Integer maxAttempts,

            @Schema(description = "Wait before the first retry (ISO-8601); at most 365 days", type = "string",
                    format = "duration", defaultValue = "PT1S") @Nullable Duration backoff,

            @Schema(description = "Factor applied to the wait after each retry",
                    defaultValue = "2.0") @Min(1) @Max(100) @Nullable Double multiplier,

            @Schema(description = "Upper bound of the wait (ISO-8601); at most 365 days", type = "string",
                    format = "duration", defaultValue = "PT5M") @Nullable Duration maxBackoff) {
    }
}
