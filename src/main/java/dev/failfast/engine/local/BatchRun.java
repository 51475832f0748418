package dev.failfast.engine.local;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobState;
import dev.failfast.engine.Attempt;
import dev.failfast.engine.AttemptOutcomes;
import dev.failfast.engine.Backoff;
import dev.failfast.engine.CancellationSource;
import dev.failfast.engine.Outcome;
import dev.failfast.engine.StopReason;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * One batch this process runs: its jobs, its cancellation token and its state.
 *
 * <p>
 * Every change happens under {@link #lock}. Starting a job and recording the cancellation
 * cause both take it, so once a cause is recorded no pending job can start: it is SKIPPED
 * instead. The token is cancelled right after the lock is released, which runs cancel
 * callbacks and interrupts the running attempts without holding up other threads. Jobs
 * change only through {@link Job}'s transitions, and an attempt's outcome becomes a job
 * state by {@link AttemptOutcomes}.
 */
final class BatchRun {

    private final ReentrantLock lock = new ReentrantLock();

    private final UUID id;

    private final String tenant;

    private final RunContext context;

    private final LocalJob[] jobs;

    private final CancellationSource token = new CancellationSource();

    // Guarded by lock.
    private final BatchChanges changes;

    private final DispatchQueue queue;

    private @Nullable ScheduledFuture<?> deadlineTimer;

    private @Nullable ScheduledFuture<?> graceTimer;

    /**
     * @param parsedParams each job's parsed params, in job order, or null when the jobs
     * come back from the store after a restart (their params are then parsed at each
     * attempt)
     */
    BatchRun(RunContext context, Batch batch, List<Job> jobs, @Nullable List<Object> parsedParams) {
        this.context = context;
        this.id = batch.id();
        this.tenant = batch.owner().tenant();
        this.changes = new BatchChanges(batch);
        this.jobs = new LocalJob[jobs.size()];
        for (int i = 0; i < this.jobs.length; i++) {
            this.jobs[i] = new LocalJob(jobs.get(i), parsedParams == null ? null : parsedParams.get(i));
        }
        this.queue = new DispatchQueue(this.jobs, batch.spec().maxParallelism());
    }

    UUID id() {
        return id;
    }

    /** The tenant the batch belongs to, whose share of the pool its jobs take. */
    String tenant() {
        return tenant;
    }

    Batch snapshot() {
        lock.lock();
        try {
            return batch();
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * For a redriven run: registers it ({@code register}) and publishes its first change,
     * the batch QUEUED and {@code redriven} PENDING again, under the batch lock, so that
     * a cancel that finds the run registered waits and records its cause after that
     * change.
     */
    void registerRedriven(Runnable register, List<Job> redriven, BatchState ended) {
        lock.lock();
        try {
            register.run();
            context.publisher().changed(batch(), redriven, ended);
        }
        finally {
            lock.unlock();
        }
    }

    void scheduleDeadline(Duration deadline) {
        lock.lock();
        try {
            if (isStopping()) {
                return; // cancelled before it ran, or ended as it was resumed
            }
            deadlineTimer = context.timers()
                .at(batch().runQueuedAt().plus(deadline),
                        () -> recordCause(CancellationCause.deadlineExceeded(deadline, context.clock().instant())));
        }
        finally {
            lock.unlock();
        }
    }

    // ---- dispatch ---------------------------------------------------------------------

    /** Claims the next job to hand to a worker, or null if none may start now. */
    @Nullable LocalJob reserveNext() {
        lock.lock();
        try {
            return isStopping() ? null : queue.reserveNext();
        }
        finally {
            lock.unlock();
        }
    }

    boolean hasDispatchable() {
        lock.lock();
        try {
            return !isStopping() && queue.hasReady();
        }
        finally {
            lock.unlock();
        }
    }

    private boolean isStopping() {
        return batch().cancellation() != null || batch().state().isTerminal();
    }

    /**
     * Called on the worker thread before the handler runs. Returns null when the batch
     * was cancelled after the job was handed over: the job then never starts.
     */
    @Nullable Attempt startAttempt(LocalJob job, Thread worker) {
        lock.lock();
        try {
            if (isStopping()) {
                queue.release(job);
                job.handover = null;
                return null;
            }
            Instant now = context.clock().instant();
            Attempt attempt = new Attempt(job, job.job().attempts() + 1, worker, token);
            job.attempt(attempt);
            if (job.job().state() == JobState.PENDING) {
                context.pendingJobs().remove(tenant, 1);
            }
            changes.job(job, job.job().started(attempt.number(), now));
            if (batch().state() == BatchState.QUEUED) {
                changes.batch(batch().started(now));
            }
            context.timers().armTimeout(attempt, lock, this::abandonTimedOut);
            changes.publish(context.publisher());
            return attempt;
        }
        finally {
            lock.unlock();
        }
    }

    /** Called on the worker thread with the attempt's outcome. */
    void finishAttempt(LocalJob job, Attempt attempt, Outcome outcome) {
        change(now -> {
            if (!attempt.end()) {
                return false; // abandoned: settled then, and what it did afterwards does
                              // not count
            }
            job.attempt(null);
            job.handover = null;
            return settleAttempt(job, outcome, now);
        });
    }

    /**
     * For a batch resumed after a restart: every job the previous process left RUNNING
     * counts that attempt as failed, so it is retried if it has attempts left, else it
     * fails (which may stop a FAIL_FAST batch).
     */
    void resumeInterrupted() {
        change(now -> {
            boolean causeRecorded = false;
            for (LocalJob job : jobs) {
                if (job.job().state() == JobState.RUNNING) {
                    causeRecorded |= settleAttempt(job, new Outcome.Failed(JobError.OWNER_STOPPED), now);
                }
            }
            return causeRecorded;
        });
    }

    /**
     * Moves a job whose attempt ended as {@code outcome} on: its slot is freed, a retry
     * scheduled, or its end counted, which may record the cause (a failure beyond the
     * tolerance, a FAIL_BATCH rule, a success policy met or out of reach). Returns true
     * if it recorded a cause.
     */
    private boolean settleAttempt(LocalJob job, Outcome outcome, Instant now) {
        Job after = AttemptOutcomes.jobAfter(job.job(), outcome, batch().spec().policies(),
                batch().cancellation() != null, now);
        if (!after.state().isTerminal()) {
            // Waits out a deferral (the target asked for it) or the retry backoff.
            Backoff next = AttemptOutcomes.nextAttempt(after, outcome, batch(), context.deferrals(), now);
            changes.job(job, after.backoff(next.delay(), next.reason()));
            job.retryTimer(context.timers().at(now.plus(next.delay()), () -> retryDue(job)));
            return false;
        }
        changes.job(job, after);
        queue.release(job);
        CancellationCause cause = batch().causeAfterMove(after, now);
        return cause != null && recordCause(cause, now);
    }

    private void retryDue(LocalJob job) {
        lock.lock();
        try {
            job.retryTimer(null);
            if (batch().cancellation() != null || job.job().state() != JobState.RUNNING) {
                return;
            }
            queue.retryDue(job);
        }
        finally {
            lock.unlock();
        }
        context.dispatcher().offer(this);
    }

    // ---- cancellation -----------------------------------------------------------------

    /**
     * Records the cause (if none is recorded yet and the batch is not terminal), skips
     * every pending job, then cancels the token. Returns false if the batch already had a
     * cause or ended.
     */
    boolean recordCause(CancellationCause cause) {
        return change(now -> recordCause(cause, now));
    }

    private boolean recordCause(CancellationCause cause, Instant now) {
        if (isStopping()) {
            return false;
        }
        // First, so that the stop report counts the jobs the cause skips and stops.
        changes.batch(batch().cancelling(cause));
        int skipped = 0;
        for (LocalJob job : jobs) {
            if (job.job().state() == JobState.PENDING) {
                changes.job(job, job.job().stoppedWhilePending(now));
                skipped++;
            }
            else if (job.isBetweenAttempts()) {
                job.cancelRetry();
                queue.release(job);
                changes.job(job, job.job().cancelledKeepingLastError(now));
            }
        }
        context.pendingJobs().remove(tenant, skipped);
        queue.close();
        if (batch().counts().running() > 0) {
            graceTimer = context.timers().afterGrace(this::abandonStragglers);
        }
        return true;
    }

    /**
     * After the cancel grace period: report still-running jobs abandoned and end the
     * batch.
     */
    private void abandonStragglers() {
        change(now -> {
            for (LocalJob job : jobs) {
                abandon(job.attempt(), StopReason.BATCH_CANCELLED, now);
            }
            return false;
        });
    }

    /**
     * A timed-out attempt ignored its interrupt for the whole grace period: fail it
     * without waiting.
     */
    private void abandonTimedOut(Attempt attempt) {
        change(now -> abandon(attempt, StopReason.TIMEOUT, now));
    }

    private boolean abandon(@Nullable Attempt attempt, StopReason reason, Instant now) {
        if (attempt == null || !attempt.abandon()) {
            return false;
        }
        LocalJob job = (LocalJob) attempt.job();
        job.attempt(null);
        if (job.handover != null) {
            changes.abandoned(job.handover);
            job.handover = null;
        }
        return settleAttempt(job, new Outcome.Abandoned(reason), now);
    }

    // ---- changes ----------------------------------------------------------------------

    /**
     * Applies a change under the lock, ends the batch if nothing is left to do, publishes
     * what changed, and, if the change recorded a cause, cancels the token once the lock
     * is released.
     * @param change returns true if it recorded a cancellation cause
     * @return whether a cause was recorded
     */
    private boolean change(Predicate<Instant> change) {
        boolean causeRecorded;
        boolean endedByCause;
        List<Dispatcher.Handover> freed;
        lock.lock();
        try {
            Instant now = context.clock().instant();
            causeRecorded = change.test(now);
            boolean ended = finishIfDone(now);
            endedByCause = ended && batch().cancellation() != null;
            changes.publish(context.publisher());
            if (ended) {
                context.terminated().accept(this);
            }
            freed = changes.takeAbandoned();
        }
        finally {
            lock.unlock();
        }
        if (causeRecorded) {
            token.cancel(StopReason.BATCH_CANCELLED);
        }
        if (endedByCause) {
            // The cause, the jobs it skipped and the batch's end, in one write, once the
            // running jobs have stopped: written while they stop, it would slow their
            // stopping (a client's cancel has written the cause already, before its 202).
            context.publisher().writeCause(id);
        }
        if (!freed.isEmpty()) {
            // Threads stuck in abandoned attempts no longer count as the batch's or the
            // pool's work.
            freed.forEach(context.dispatcher()::abandoned);
            context.dispatcher().offer(this);
        }
        return causeRecorded;
    }

    /** Ends the batch if nothing is left to do; returns whether it ended now. */
    private boolean finishIfDone(Instant now) {
        if (batch().terminalStateIfDone() == null) {
            return false;
        }
        changes.batch(batch().endedIfDone(now));
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
        }
        if (graceTimer != null) {
            graceTimer.cancel(false);
        }
        return true;
    }

    private Batch batch() {
        return changes.batch();
    }

}
