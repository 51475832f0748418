package dev.failfast.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A job as it stands at one moment.
 *
 * <p>
 * Its transitions keep its attempt {@link #history}, one {@link AttemptRecord} per
 * attempt that started, by this rule:
 * <ul>
 * <li>{@link #started} opens a record (run, number, start);
 * <li>every transition that ends an attempt closes the open record, with its end, error
 * and abandoned flag: {@link #succeeded} (SUCCEEDED), {@link #retrying} and
 * {@link #failed} (FAILED, TIMED_OUT for a timeout, INTERRUPTED when the process running
 * it stopped), {@link #deferred} (DEFERRED), {@link #cancelled} (CANCELLED);
 * <li>the transitions for a lost process, {@link #requeued} and
 * {@link #cancelledKeepingLastError} of a job whose attempt was running, close it
 * INTERRUPTED; one whose start was never written (a cluster replica writes an attempt's
 * start with its outcome) gets a record added, started at the claim for a first attempt;
 * <li>transitions that end no attempt change no record: {@link #stoppedWhilePending}, and
 * {@link #cancelledKeepingLastError} or {@link #requeued} of a job waiting out a backoff
 * (its last attempt's record is closed already);
 * <li>{@link #claimWithdrawn} and {@link #unclaimed} take back an attempt that was
 * claimed but never started: its record, if one was written, is removed.
 * </ul>
 * What the engine decided after an attempt ended, the rule and the backoff, is added to
 * its record by {@link #decidedBy} and {@link #backoff}. The history is bounded: the
 * first record and the latest, {@value AttemptHistory#MAX_RECORDS} in all, with
 * {@code droppedAttempts} counting those left out between them.
 *
 * @param spec what the client asked the job to do
 * @param state where the job is in its life cycle
 * @param attempts attempts started so far, those deferred included
 * @param startedAt when the first attempt started
 * @param finishedAt when the job became terminal
 * @param error why the last attempt failed; kept while a retry is pending
 * @param result what the job returned, small JSON
 * @param abandoned true when the job ignored cancellation or its timeout past the grace
 * period and was reported terminal while its thread was left to finish
 * @param deferrals attempts whose target asked to be called again later
 * ({@link #deferred}): they ran, but count against neither the retry policy's
 * {@code maxAttempts} nor the failure policy
 * @param ignored FAILED, and an {@code IGNORE} rule excused the failure: it counts toward
 * neither the batch's tolerance nor its end state
 * @param run the batch run the job belongs to: 1, or the redrive that last ran it again
 * @param history its attempts, oldest first, over every run; empty where a job was read
 * without it (a page of a list)
 * @param droppedAttempts attempt records left out of {@code history} to bound it, from
 * between the first and the latest ones
 */
public record Job(JobSpec spec, JobState state, int attempts, @Nullable Instant startedAt, @Nullable Instant finishedAt,
        @Nullable JobError error, @Nullable JsonNode result, boolean abandoned, int deferrals, boolean ignored, int run,
        List<AttemptRecord> history, int droppedAttempts) {

    public Job {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(state, "state");
        history = List.copyOf(history);
        if (run < 1) {
            throw new IllegalArgumentException("run must be at least 1, was " + run);
        }
        if (deferrals < 0 || deferrals > Math.max(attempts, 0)) {
            throw new IllegalArgumentException(
                    "deferrals must be between 0 and attempts (" + attempts + "), was " + deferrals);
        }
        if (droppedAttempts < 0) {
            throw new IllegalArgumentException("droppedAttempts must not be negative, was " + droppedAttempts);
        }
    }

    /** A job none of whose attempt records was dropped. */
    public Job(JobSpec spec, JobState state, int attempts, @Nullable Instant startedAt, @Nullable Instant finishedAt,
            @Nullable JobError error, @Nullable JsonNode result, boolean abandoned, int deferrals, boolean ignored,
            int run, List<AttemptRecord> history) {
        this(spec, state, attempts, startedAt, finishedAt, error, result, abandoned, deferrals, ignored, run, history,
                0);
    }

    /** A job of a batch's first run, with no history kept. */
    public Job(JobSpec spec, JobState state, int attempts, @Nullable Instant startedAt, @Nullable Instant finishedAt,
            @Nullable JobError error, @Nullable JsonNode result, boolean abandoned, int deferrals) {
        this(spec, state, attempts, startedAt, finishedAt, error, result, abandoned, deferrals, false, 1, List.of());
    }

    /** A job none of whose attempts was deferred. */
    public Job(JobSpec spec, JobState state, int attempts, @Nullable Instant startedAt, @Nullable Instant finishedAt,
            @Nullable JobError error, @Nullable JsonNode result, boolean abandoned) {
        this(spec, state, attempts, startedAt, finishedAt, error, result, abandoned, 0);
    }

    public static Job pending(JobSpec spec) {
        return new Job(spec, JobState.PENDING, 0, null, null, null, null, false, 0);
    }

    /**
     * Attempts that count against the retry policy's {@code maxAttempts}: those started,
     * less those deferred.
     */
    public int countedAttempts() {
        return attempts - deferrals;
    }

    public String id() {
        return spec.id();
    }

    /** The record of its latest attempt, if one was kept. */
    public @Nullable AttemptRecord lastAttempt() {
        return history.isEmpty() ? null : history.getLast();
    }

    /** This job as a list reads it: without its attempt history. */
    public Job withoutHistory() {
        return history.isEmpty() && droppedAttempts == 0 ? this : new Job(spec, state, attempts, startedAt, finishedAt,
                error, result, abandoned, deferrals, ignored, run, List.of(), 0);
    }

    /**
     * This job with the attempt history a store kept for it: a store reads the history
     * apart, and only where it is asked for.
     */
    public Job withHistory(List<AttemptRecord> records, int dropped) {
        return new Job(spec, state, attempts, startedAt, finishedAt, error, result, abandoned, deferrals, ignored, run,
                records, dropped);
    }

    /** finishedAt − startedAt in milliseconds, or null until the job ran and finished. */
    public @Nullable Long durationMillis() {
        return startedAt == null || finishedAt == null ? null : Duration.between(startedAt, finishedAt).toMillis();
    }

    // ---- transitions: each checks the move against JobState's table
    // ---------------------------------------

    /**
     * Attempt {@code attempt} started at {@code at}: RUNNING, from PENDING or after a
     * retry backoff. The first attempt's start is the job's {@code startedAt} (it
     * replaces the claim time a cluster replica wrote when it claimed the job); the last
     * failed attempt's error stays visible until the job ends.
     */
    public Job started(int attempt, Instant at) {
        Instant first = attempt == 1 || startedAt == null ? at : startedAt;
        return next(to(JobState.RUNNING), attempt, first, null, error, null, false, deferrals)
            .recorded(historyNow().opened(run, attempt, at));
    }

    /**
     * An attempt failed with {@code failure} and the job will run again after its
     * backoff: still RUNNING.
     */
    public Job retrying(JobError failure, Instant at) {
        return next(to(JobState.RUNNING), attempts, startedAt, null, failure, null, false, deferrals)
            .recorded(ended(AttemptHistory.endOf(failure), failure, false, at));
    }

    /**
     * The attempt's target asked to be called again later ({@code failure} says why): the
     * job waits, still RUNNING, and runs the attempt again without counting this one
     * against {@code maxAttempts}.
     */
    public Job deferred(JobError failure, Instant at) {
        return next(to(JobState.RUNNING), attempts, startedAt, null, failure, null, false, deferrals + 1)
            .recorded(ended(AttemptRecord.End.DEFERRED, failure, false, at));
    }

    public Job succeeded(@Nullable JsonNode output, Instant at) {
        return next(to(JobState.SUCCEEDED), attempts, startedAt, at, null, output, false, deferrals)
            .recorded(ended(AttemptRecord.End.SUCCEEDED, null, false, at));
    }

    /**
     * The last attempt failed; {@code abandoned}: its thread ignored the timeout and was
     * left running.
     */
    public Job failed(JobError failure, boolean abandoned, Instant at) {
        return next(to(JobState.FAILED), attempts, startedAt, at, failure, null, abandoned, deferrals)
            .recorded(ended(AttemptHistory.endOf(failure), failure, abandoned, at));
    }

    /**
     * The last attempt failed and an {@code IGNORE} rule excused the failure: FAILED, and
     * {@link #ignored}, so that it counts toward neither the batch's tolerance nor its
     * end state.
     */
    public Job failedIgnored(JobError failure, boolean abandoned, Instant at) {
        Job failed = failed(failure, abandoned, at);
        return new Job(failed.spec, failed.state, failed.attempts, failed.startedAt, failed.finishedAt, failed.error,
                failed.result, failed.abandoned, failed.deferrals, true, failed.run, failed.history);
    }

    /**
     * Its attempt was stopped by the batch's cancellation; {@code abandoned}: it ignored
     * the interrupt.
     */
    public Job cancelled(boolean abandoned, Instant at) {
        return next(to(JobState.CANCELLED), attempts, startedAt, at, null, null, abandoned, deferrals)
            .recorded(ended(AttemptRecord.End.CANCELLED, null, abandoned, at));
    }

    /**
     * Cancelled while no attempt of it ran (waiting out a retry backoff, or cut short
     * with its process): the last failed attempt's error stays. An attempt found running
     * here was cut short with its process: its record ends INTERRUPTED.
     */
    public Job cancelledKeepingLastError(Instant at) {
        return next(to(JobState.CANCELLED), attempts, startedAt, at, error, null, false, deferrals)
            .recorded(ended(AttemptRecord.End.INTERRUPTED, JobError.OWNER_STOPPED, false, at));
    }

    /**
     * The batch stopped before this PENDING job started: SKIPPED, or CANCELLED if it ran
     * before and was put back ({@link #requeued}).
     */
    public Job stoppedWhilePending(Instant at) {
        return next(to(attempts == 0 ? JobState.SKIPPED : JobState.CANCELLED), attempts, startedAt, at, error, null,
                false, deferrals);
    }

    /**
     * The process running the job was lost: PENDING again, to run its next attempt
     * anywhere. The attempt it ran, if one was running, ends INTERRUPTED at {@code at}.
     */
    public Job requeued(JobError interruption, Instant at) {
        return next(fromRunningTo(JobState.PENDING), attempts, startedAt, null, interruption, null, false, deferrals)
            .recorded(ended(AttemptRecord.End.INTERRUPTED, interruption, false, at));
    }

    /**
     * A cluster replica claimed the job, but the batch's cause came before the claimed
     * attempt started: that attempt is not counted, and the job is SKIPPED, or CANCELLED
     * if an earlier attempt ran.
     */
    public Job claimWithdrawn(Instant at) {
        int ran = attempts - 1;
        AttemptHistory withdrawn = historyNow().withdrawn(run, attempts);
        if (ran == 0) {
            return next(to(JobState.SKIPPED), 0, null, at, null, null, false, deferrals).recorded(withdrawn);
        }
        return next(to(JobState.CANCELLED), ran, startedAt, at, error, null, false, deferrals).recorded(withdrawn);
    }

    /**
     * A claim that started no attempt is taken back: PENDING again, the claim's attempt
     * not counted.
     */
    public Job unclaimed() {
        return next(fromRunningTo(JobState.PENDING), attempts - 1, attempts == 1 ? null : startedAt, null, error, null,
                false, deferrals)
            .recorded(historyNow().withdrawn(run, attempts));
    }

    /**
     * The batch was redriven and this job runs again in run {@code nextRun}: PENDING,
     * from FAILED, CANCELLED or SKIPPED, as a job not yet started (no attempts,
     * deferrals, error or verdict), its history of the earlier runs kept.
     */
    public Job redriven(int nextRun) {
        if (nextRun <= run) {
            throw new IllegalArgumentException("run " + nextRun + " does not come after run " + run);
        }
        if (!state.isTerminal()) {
            // RUNNING -> PENDING is a requeue, not a redrive: only an ended job runs
            // again.
            throw new IllegalStateTransitionException("job", state, JobState.PENDING);
        }
        return new Job(spec, to(JobState.PENDING), 0, null, null, null, null, false, 0, false, nextRun, history,
                droppedAttempts);
    }

    // ---- history: what the engine decided about the last attempt, once it decided it

    /**
     * The {@code onError} rule ({@code onError[1]}) that decided what the last attempt's
     * failure did, kept on that attempt's record.
     */
    public Job decidedBy(String rule) {
        return withLastAttempt(last -> new AttemptRecord(last.run(), last.number(), last.startedAt(), last.endedAt(),
                last.end(), last.error(), rule, last.backoff(), last.backoffReason(), last.abandoned()));
    }

    /**
     * The wait chosen before the next attempt and why (the retry policy that chose it, or
     * the target's {@code Retry-After} and the cap applied), kept on the last attempt's
     * record.
     */
    public Job backoff(Duration wait, String reason) {
        return withLastAttempt(last -> new AttemptRecord(last.run(), last.number(), last.startedAt(), last.endedAt(),
                last.end(), last.error(), last.rule(), wait, reason, last.abandoned()));
    }

    private Job withLastAttempt(java.util.function.UnaryOperator<AttemptRecord> change) {
        if (history.isEmpty()) {
            return this;
        }
        List<AttemptRecord> changed = new java.util.ArrayList<>(history);
        changed.set(changed.size() - 1, change.apply(changed.getLast()));
        return new Job(spec, state, attempts, startedAt, finishedAt, error, result, abandoned, deferrals, ignored, run,
                changed, droppedAttempts);
    }

    private AttemptHistory historyNow() {
        return new AttemptHistory(history, droppedAttempts);
    }

    /** This job's history after its current attempt ended (see the class comment). */
    private AttemptHistory ended(AttemptRecord.End end, @Nullable JobError failure, boolean abandoned, Instant at) {
        return historyNow().ended(end, failure, abandoned, at, run, attempts, startedAt);
    }

    private Job recorded(AttemptHistory changed) {
        return new Job(spec, state, attempts, startedAt, finishedAt, error, result, abandoned, deferrals, ignored, run,
                changed.records(), changed.dropped());
    }

    /**
     * The job after a transition: what the transition changes, and its failure verdict,
     * run and history as they were.
     */
    private Job next(JobState state, int attempts, @Nullable Instant startedAt, @Nullable Instant finishedAt,
            @Nullable JobError error, @Nullable JsonNode result, boolean abandoned, int deferrals) {
        return new Job(spec, state, attempts, startedAt, finishedAt, error, result, abandoned, deferrals, ignored, run,
                history, droppedAttempts);
    }

    private JobState to(JobState next) {
        return state.transitionTo(next);
    }

    /**
     * A move the table admits from more than RUNNING (to PENDING: also a redrive's), made
     * here only from RUNNING.
     */
    private JobState fromRunningTo(JobState next) {
        if (state != JobState.RUNNING) {
            throw new IllegalStateTransitionException("job", state, next);
        }
        return to(next);
    }
}
