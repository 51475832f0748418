package dev.failfast.engine;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchPolicies;
import dev.failfast.batch.ErrorAction;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobError;
import dev.failfast.batch.RetryPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What an attempt's outcome makes of its job: one rule for both engines (tested as a
 * table in {@code AttemptOutcomesTest}).
 *
 * <ul>
 * <li>Succeeded: SUCCEEDED with its result.
 * <li>Failed, or stopped by its timeout: the batch's {@code onError} rules decide, the
 * first that matches the error ({@link BatchPolicies#ruleFor}). No rule: retried (RUNNING
 * with the error, waiting out its backoff) while the job's retry policy has attempts left
 * and the batch is not stopping, else FAILED. RETRY: the same, under the rule's retry
 * policy if it has one. COUNT and FAIL_BATCH: FAILED at once (what FAIL_BATCH does to the
 * batch, {@link Batch#causeAfterMove} says). IGNORE: FAILED at once, marked
 * {@link Job#ignored}.
 * <li>Deferred (its target asked to be called again later): still RUNNING, waiting, the
 * attempt counted as deferred and not against {@code maxAttempts}; CANCELLED, keeping the
 * reason, if the batch is stopping. Never a failure, so never a cause, unless a rule
 * whose action is FAIL_BATCH, COUNT or IGNORE matches it: rules a client wrote win over
 * backpressure, and the attempt is then a failed one under that action.
 * <li>Stopped by the batch's cancellation: CANCELLED.
 * <li>Abandoned (it ignored its token for the grace period): CANCELLED if the batch was
 * cancelled, FAILED with TIMEOUT if it timed out (the rules deciding, IGNORE included),
 * marked abandoned either way. An abandoned attempt is never retried: its thread may
 * still run, and a job never has two attempts at once.
 * </ul>
 * The rule that decided is kept on the attempt's history record ({@link Job#decidedBy}).
 */
public final class AttemptOutcomes {

    private AttemptOutcomes() {
    }

    /**
     * As {@link #jobAfter(Job, Outcome, BatchPolicies, boolean, Instant)}, with no rules.
     */
    public static Job jobAfter(Job job, Outcome outcome, boolean batchStopping, Instant now) {
        return jobAfter(job, outcome, BatchPolicies.NONE, batchStopping, now);
    }

    /**
     * @param job the job as it ran the attempt (RUNNING)
     * @param policies the batch's policies, whose {@code onError} rules decide a failure
     * @param batchStopping the batch has a cause, or the write this outcome is part of
     * records one: a failed attempt is then not retried
     */
    public static Job jobAfter(Job job, Outcome outcome, BatchPolicies policies, boolean batchStopping, Instant now) {
        return switch (outcome) {
            case Outcome.Succeeded(var result) -> job.succeeded(result, now);
            case Outcome.Failed(JobError error) -> failed(job, error, policies, batchStopping, false, now);
            case Outcome.Deferred(JobError error, var delay) -> deferred(job, error, policies, batchStopping, now);
            case Outcome.Stopped(StopReason reason) when reason == StopReason.TIMEOUT ->
                failed(job, timeout(job), policies, batchStopping, false, now);
            case Outcome.Stopped ignored -> job.cancelled(false, now);
            case Outcome.Abandoned(StopReason reason) when reason == StopReason.TIMEOUT ->
                failed(job, timeout(job), policies, batchStopping, true, now);
            case Outcome.Abandoned ignored -> job.cancelled(true, now);
        };
    }

    /**
     * How long a job that {@link #jobAfter} left RUNNING waits before its next attempt,
     * and why: a deferral's wait ({@link Deferrals#waitFor}), else the backoff of the
     * retry policy that retries it (the matching RETRY rule's, or the job's own).
     * @param after the job as {@code outcome} left it, waiting
     * @param batch the job's batch (its policies and deadline)
     */
    public static Backoff nextAttempt(Job after, Outcome outcome, Batch batch, Deferrals deferrals, Instant now) {
        if (outcome instanceof Outcome.Deferred(var reason, Duration asked)) {
            return deferrals.backoff(asked, batch, now);
        }
        JobError error = Objects.requireNonNull(after.error(), "a job waiting to retry carries its failure");
        BatchPolicies.MatchedRule match = batch.spec().policies().ruleFor(error);
        RetryPolicy policy = after.spec().retry();
        String source = "job retry policy";
        if (match != null && match.rule().retry() != null) {
            policy = match.rule().retry();
            source = "retry policy of " + match.path();
        }
        return Backoff.retry(after, policy, source);
    }

    private static Job failed(Job job, JobError error, BatchPolicies policies, boolean batchStopping, boolean abandoned,
            Instant now) {
        return failed(job, error, policies.ruleFor(error), batchStopping, abandoned, now);
    }

    private static Job failed(Job job, JobError error, BatchPolicies.@Nullable MatchedRule match, boolean batchStopping,
            boolean abandoned, Instant now) {
        ErrorAction action = match == null ? ErrorAction.RETRY : match.rule().action();
        Job after = switch (action) {
            case RETRY -> {
                RetryPolicy ruleRetry = match == null ? null : match.rule().retry();
                RetryPolicy policy = ruleRetry != null ? ruleRetry : job.spec().retry();
                boolean attemptsLeft = job.countedAttempts() < policy.maxAttempts();
                yield !batchStopping && !abandoned && attemptsLeft ? job.retrying(error, now)
                        : job.failed(error, abandoned, now);
            }
            case COUNT, FAIL_BATCH -> job.failed(error, abandoned, now);
            case IGNORE -> job.failedIgnored(error, abandoned, now);
        };
        return decidedBy(after, match);
    }

    private static Job deferred(Job job, JobError error, BatchPolicies policies, boolean batchStopping, Instant now) {
        BatchPolicies.MatchedRule match = policies.ruleFor(error);
        if (match != null && match.rule().action() != ErrorAction.RETRY) {
            return failed(job, error, match, batchStopping, false, now);
        }
        Job after = batchStopping ? job.deferred(error, now).cancelledKeepingLastError(now) : job.deferred(error, now);
        return decidedBy(after, match);
    }

    private static Job decidedBy(Job job, BatchPolicies.@Nullable MatchedRule match) {
        return match == null ? job : job.decidedBy(match.path());
    }

    private static JobError timeout(Job job) {
        return JobError.timeout(job.spec().timeout());
    }

}
