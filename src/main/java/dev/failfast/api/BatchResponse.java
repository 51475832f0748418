package dev.failfast.api;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.JobCounts;
import dev.failfast.batch.NotificationEvent;
import dev.failfast.batch.NotificationTarget;
import dev.failfast.batch.Redrive;
import dev.failfast.batch.RunSummary;
import dev.failfast.batch.StopReport;
import dev.failfast.job.WebhookPost;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

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
        @Schema(description = "When the batch was submitted") Instant createdAt,
        @Schema(description = "When the current run's first job started") @Nullable Instant startedAt,
        @Schema(description = "When the current run ended") @Nullable Instant finishedAt, Counts counts,
        @Schema(description = "Why the current run was cancelled; null until it was") @Nullable Cancellation cancellation,
        @Schema(description = "The current run: 1, then one more per redrive", example = "1") int run,
        @Schema(description = "Every run of the batch, oldest first, the current one last") List<Run> runs,
        @Schema(description = "The webhooks the batch names, without their secrets; its notifications are at "
                + "/api/v1/batches/{id}/notifications") List<Target> notifications) {

    static BatchResponse of(Batch batch) {
        var spec = batch.spec();
        var policies = spec.policies();
        var cause = batch.cancellation();
        return new BatchResponse(batch.id(), batch.owner().tenant(), batch.owner().submittedBy(), spec.name(),
                spec.labels(), spec.failurePolicy(), spec.maxFailures(), policies.maxFailureRatio(),
                policies.minJobsForRatio() == 0 ? null : policies.minJobsForRatio(),
                policies.onError().stream().map(OnErrorRule::of).toList(), SucceedWhen.of(policies.succeedWhen()),
                spec.maxParallelism(), spec.deadline(), batch.state(), batch.createdAt(), batch.startedAt(),
                batch.finishedAt(), Counts.of(batch), cause == null ? null : Cancellation.of(cause), batch.run(),
                Run.all(batch), spec.notifications().stream().map(Target::of).toList());
    }

    /**
     * A notification target as shown: never its secret, nor the values of sensitive
     * headers.
     */
    @Schema(description = "A webhook the batch notifies; its secret is never shown")
    record Target(
            @Schema(description = "The URL, its query and credentials masked",
                    example = "https://hooks.example.com/failfast") String url,
            @Schema(example = "[\"batch.failed\"]") List<String> events,
            @Schema(description = "Whether the target has a secret of its own (else a default signs)") boolean ownSecret,
            @Schema(description = "Its extra headers, sensitive values masked",
                    implementation = Object.class) ObjectNode headers) {

        static Target of(NotificationTarget target) {
            return new Target(WebhookPost.redactUrl(target.url()),
                    target.events().stream().map(NotificationEvent::value).sorted().toList(), target.secret() != null,
                    WebhookPost.redactHeaders(target.headers()));
        }
    }

    /** One run of the batch: its first, or one a redrive started. */
    @Schema(description = "One run of the batch: the first, or one a redrive started")
    record Run(@Schema(example = "1") int number,
            @Schema(description = "When it was queued: the batch's submission, or its redrive") Instant queuedAt,
            @Schema(description = "When its first job started") @Nullable Instant startedAt,
            @Schema(description = "When it ended; null while it runs") @Nullable Instant finishedAt, BatchState state,
            @Schema(description = "Why it was cancelled, if it was") @Nullable Cancellation cancellation,
            @Schema(description = "Who redrove the batch to start it; null for run 1",
                    example = "key:019abf50-1c2d-7e3f-8a4b-5c6d7e8f9a0b") @Nullable String redrivenBy,
            @Schema(description = "How many jobs it ran again; null for run 1",
                    example = "2") @Nullable Integer redrivenJobs) {

        static List<Run> all(Batch batch) {
            List<Run> runs = new ArrayList<>(batch.run());
            for (RunSummary past : batch.pastRuns()) {
                runs.add(new Run(past.number(), past.queuedAt(), past.startedAt(), past.finishedAt(), past.state(),
                        past.cause() == null ? null : Cancellation.of(past.cause()), redrivenBy(past.redrive()),
                        redrivenJobs(past.redrive())));
            }
            CancellationCause cause = batch.cancellation();
            runs.add(new Run(batch.run(), batch.runQueuedAt(), batch.startedAt(), batch.finishedAt(), batch.state(),
                    cause == null ? null : Cancellation.of(cause), redrivenBy(batch.redrive()),
                    redrivenJobs(batch.redrive())));
            return runs;
        }

        private static @Nullable String redrivenBy(@Nullable Redrive redrive) {
            return redrive == null ? null : redrive.requestedBy();
        }

        private static @Nullable Integer redrivenJobs(@Nullable Redrive redrive) {
            return redrive == null ? null : redrive.jobs();
        }
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
