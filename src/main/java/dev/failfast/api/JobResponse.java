package dev.failfast.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.failfast.batch.AttemptRecord;
import dev.failfast.batch.Batch;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobState;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.batch.RunSummary;
import dev.failfast.job.JobHandlers;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** A job's status. */
@Schema(description = "A job's status")
record JobResponse(String id, String type,
        @Schema(description = "The job type's parameters, with credentials masked as \"***\" (docs/security.md)",
                implementation = Map.class) JsonNode params,
        @Schema(type = "string", format = "duration", example = "PT30S") @Nullable Duration timeout, RetryPolicy retry,
        JobState state, @Schema(description = "Attempts started so far, deferred ones included") int attempts,
        @Schema(description = "Attempts whose target asked to be called again later (such as an HTTP 429 or 503 with "
                + "Retry-After): the job waited instead of failing, and they do not count against retry.maxAttempts. "
                + "While the job waits, error says why") int deferrals,
        @Nullable Instant startedAt, @Nullable Instant finishedAt, @Nullable Long durationMillis,
        @Schema(description = "True when the job ignored cancellation past the grace period and its thread was left to finish") boolean abandoned,
        @Schema(description = "True when the job FAILED and an IGNORE rule of the batch's onError excused the "
                + "failure: it counts toward neither the tolerance nor the batch's end state") boolean ignored,
        @Schema(description = "Why the last attempt failed") @Nullable JobError error,
        @Schema(description = "What the job returned: any JSON value",
                implementation = Object.class) @Nullable JsonNode result,
        @Schema(description = "For a SKIPPED or CANCELLED job: the cause that stopped it, that of the run the job "
                + "belongs to; null for any other job") @Nullable StoppedBy stoppedBy,
        @Schema(description = "The batch run the job belongs to: 1, or the redrive that last ran it again",
                example = "1") int run,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Schema(
                description = "Its attempts, oldest first, over every run: only in GET /batches/{id}/jobs/{jobId} "
                        + "(lists and event streams leave it out). At most 50 are kept, the first and the latest; "
                        + "droppedAttempts says how many were left out between them",
                requiredMode = Schema.RequiredMode.NOT_REQUIRED) @Nullable List<Attempt> attemptHistory,
        @JsonInclude(JsonInclude.Include.NON_NULL) @Schema(
                description = "Attempt records left out of attemptHistory to bound it; only with attemptHistory",
                requiredMode = Schema.RequiredMode.NOT_REQUIRED) @Nullable Integer droppedAttempts) {

    /**
     * The job as a list or an event shows it: its params redacted by its job type, no
     * history.
     */
    static JobResponse of(Job job, JobHandlers handlers, Batch batch) {
        return of(job, handlers, batch, false);
    }

    /** The job as a read of it alone shows it: with its attempt history. */
    static JobResponse withHistory(Job job, JobHandlers handlers, Batch batch) {
        return of(job, handlers, batch, true);
    }

    private static JobResponse of(Job job, JobHandlers handlers, Batch batch, boolean withHistory) {
        var spec = job.spec();
        return new JobResponse(job.id(), spec.type(), handlers.redactParams(spec.type(), spec.params()), spec.timeout(),
                spec.retry(), job.state(), job.attempts(), job.deferrals(), job.startedAt(), job.finishedAt(),
                job.durationMillis(), job.abandoned(), job.ignored(), job.error(), job.result(),
                StoppedBy.of(job, batch), job.run(),
                withHistory ? job.history().stream().map(Attempt::of).toList() : null,
                withHistory ? job.droppedAttempts() : null);
    }

    /** The cause that stopped a SKIPPED or CANCELLED job. */
    @Schema(description = "The cause that stopped a SKIPPED or CANCELLED job: the batch's cancellation, or that of "
            + "the earlier run the job belongs to")
    record StoppedBy(CauseType cause,
            @Schema(description = "The job whose failure was the cause, if a job's was") @Nullable String jobId,
            @Schema(description = "When the cause was recorded") Instant requestedAt,
            @Schema(description = "The run whose cause it is", example = "1") int run) {

        static @Nullable StoppedBy of(Job job, Batch batch) {
            if (job.state() != JobState.SKIPPED && job.state() != JobState.CANCELLED) {
                return null;
            }
            CancellationCause cause = causeOf(job.run(), batch);
            return cause == null ? null : new StoppedBy(cause.cause(), cause.jobId(), cause.requestedAt(), job.run());
        }

        private static @Nullable CancellationCause causeOf(int run, Batch batch) {
            if (run == batch.run()) {
                return batch.cancellation();
            }
            List<RunSummary> past = batch.pastRuns();
            return run >= 1 && run <= past.size() ? past.get(run - 1).cause() : null;
        }
    }

    /** One attempt of the job, as its history keeps it. */
    @Schema(description = "One attempt of the job")
    record Attempt(@Schema(description = "The batch run it belongs to: 1, then one more per redrive") int run,
            @Schema(description = "1 for the run's first attempt of the job") int number, Instant startedAt,
            @Schema(description = "Null while it runs") @Nullable Instant endedAt,
            @Schema(description = "How it ended; null while it runs") AttemptRecord.@Nullable End outcome,
            @Schema(description = "Why it failed, with the HTTP status the target answered where there is one "
                    + "(its message cut to 1024 characters)") @Nullable JobError error,
            @Schema(description = "The onError rule that decided what its failure did, if one matched",
                    example = "onError[1]") @Nullable String rule,
            @Schema(type = "string", format = "duration", example = "PT2S",
                    description = "How long the job waited before its next attempt") @Nullable Duration backoff,
            @Schema(description = "Why that wait: the retry policy that chose it, or the target's Retry-After and the "
                    + "bounds applied",
                    example = "job retry policy: attempt 2 of 3, backoff PT2S") @Nullable String backoffReason,
            @Schema(description = "It ignored its cancellation or timeout past the grace period and its thread was "
                    + "left to finish") boolean abandoned) {

        static Attempt of(AttemptRecord record) {
            return new Attempt(record.run(), record.number(), record.startedAt(), record.endedAt(), record.end(),
                    record.error(), record.rule(), record.backoff(), record.backoffReason(), record.abandoned());
        }
    }
}
