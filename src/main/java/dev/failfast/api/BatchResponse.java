package dev.failfast.api;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.JobCounts;
import dev.failfast.batch.StopReport;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A batch's status. Reading it costs the same for 5 jobs as for 100 000. */
@Schema(description = "A batch's status")
record BatchResponse(@Schema(description = "Time-ordered UUID (version 7)") UUID id,
        @Schema(description = "The tenant the batch belongs to", example = "team-a") String tenant,
        @Schema(description = "Who submitted it: key:<api key id> or jwt:<token subject>",
                example = "key:0193c3b0-5d7e-7c4a-9f1e-3b2a1c0d9e8f") String submittedBy,
        String name, Map<String, String> labels, FailurePolicy failurePolicy,
        @Schema(description = "Failures tolerated under FAIL_FAST; null when there is no absolute limit (a "
                + "maxFailureRatio given without maxFailures)", example = "0") @Nullable Integer maxFailures,
        @Schema(description = "The tolerance by ratio, if given", example = "0.2") @Nullable Double maxFailureRatio,
        @Schema(description = "Finished jobs before the ratio is judged on them, if given",
                example = "10") @Nullable Integer minJobsForRatio,
        @Schema(description = "The rules tried on each failed attempt, in order; empty for none") List<OnErrorRule> onError,
        @Schema(description = "The success policy, if given") @Nullable SucceedWhen succeedWhen, int maxParallelism,
        @Schema(type = "string", format = "duration", example = "PT10M") @Nullable Duration deadline, BatchState state,
        Instant createdAt, @Nullable Instant startedAt, @Nullable Instant finishedAt, Counts counts,
        @Schema(description = "Why the batch was cancelled; null until it was") @Nullable Cancellation cancellation) {

    static BatchResponse of(Batch batch) {
        var spec = batch.spec();
        var policies = spec.policies();
        var cause = batch.cancellation();
        return new BatchResponse(batch.id(), batch.owner().tenant(), batch.owner().submittedBy(), spec.name(),
                spec.labels(), spec.failurePolicy(), spec.maxFailures(), policies.maxFailureRatio(),
                policies.minJobsForRatio() == 0 ? null : policies.minJobsForRatio(),
                policies.onError().stream().map(OnErrorRule::of).toList(), SucceedWhen.of(policies.succeedWhen()),
                spec.maxParallelism(), spec.deadline(), batch.state(), batch.createdAt(), batch.startedAt(),
                batch.finishedAt(), Counts.of(batch), cause == null ? null : Cancellation.of(cause));
    }

    /**
     * How many jobs are in each state, and how many of the failed ones an IGNORE rule
     * excused.
     */
    @Schema(name = "JobCounts", description = "Jobs per state")
    record Counts(int total, int pending, int running, int succeeded,
            @Schema(description = "Failed jobs, those whose failure was ignored included") int failed, int cancelled,
            int skipped,
            @Schema(description = "Of the failed jobs, those an IGNORE rule excused: they count toward neither the "
                    + "tolerance nor the batch's end state") int ignored) {

        static Counts of(Batch batch) {
            JobCounts counts = batch.counts();
            return new Counts(counts.total(), counts.pending(), counts.running(), counts.succeeded(), counts.failed(),
                    counts.cancelled(), counts.skipped(), batch.tally().ignoredFailures());
        }
    }

    /** The cancellation cause: recorded once, never overwritten. */
    record Cancellation(CauseType cause, @Schema(
            description = "The job whose failure (or, for a success policy, whose end) cancelled the batch") @Nullable String jobId,
            @Schema(description = "That job's error type", example = "JOB_ERROR") @Nullable String errorType,
            @Nullable String message,
            @Schema(description = "The reason a client gave when cancelling") @Nullable String reason,
            @Schema(description = "Who cancelled, for USER_REQUESTED: key:<api key id> or jwt:<token subject>") @Nullable String requestedBy,
            @Schema(description = "When the cause was recorded") Instant requestedAt,
            @Schema(description = "When the last running job became terminal") @Nullable Instant completedAt,
            @Schema(description = "completedAt - requestedAt in milliseconds",
                    example = "0.412") @Nullable Double propagationMillis,
            @Schema(description = "The onError rule whose FAIL_BATCH action recorded the cause",
                    example = "onError[0]") @Nullable String rule,
            @Schema(description = "What the stop did, counted while the jobs stop; null for a cause recorded before "
                    + "reports were kept") @Nullable Report report) {

        static Cancellation of(CancellationCause cause) {
            StopReport report = cause.report();
            return new Cancellation(cause.cause(), cause.jobId(), cause.errorType(), cause.message(), cause.reason(),
                    cause.requestedBy(), cause.requestedAt(), cause.completedAt(), cause.propagationMillis(),
                    cause.rule(), report == null ? null : Report.of(report));
        }
    }

    /** The stop report of a cancellation. */
    @Schema(description = "What stopping the batch did: jobs caught running and never started, and the work the stop "
            + "threw away and saved")
    record Report(
            @Schema(description = "Jobs RUNNING when the cause was recorded, those waiting out a retry backoff "
                    + "included", example = "3") int runningAtCause,
            @Schema(description = "Of those, the ones the stop cancelled, abandoned ones included",
                    example = "2") int stoppedRunning,
            @Schema(description = "Jobs that never started because of the stop (SKIPPED)",
                    example = "95") int neverStarted,
            @Schema(description = "Jobs that ignored the cancellation past the grace period",
                    example = "0") int abandoned,
            @Schema(description = "The running jobs' elapsed time the stop threw away, in seconds: for each attempt "
                    + "it cancelled, from its start to its stop", example = "7.5") double discardedJobSeconds,
            @Schema(description = "The work the stop saved, in seconds: the jobs that never started times the mean "
                    + "duration of the batch's succeeded jobs; null when no job had succeeded",
                    example = "190.0") @Nullable Double savedJobSeconds) {

        static Report of(StopReport report) {
            return new Report(report.runningAtCause(), report.stoppedRunning(), report.neverStarted(),
                    report.abandoned(), report.discardedJobSeconds(), report.savedJobSeconds());
        }
    }
}
