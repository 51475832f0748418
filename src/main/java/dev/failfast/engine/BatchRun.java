package dev.failfast.engine;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * One active batch: its jobs, its cancellation token and its state machine.
 *
 * <p>Every change happens under {@link #lock}. Starting a job and recording the cancellation cause
 * both take it, so once a cause is recorded no pending job can start: it is SKIPPED instead. The
 * token is cancelled right after the lock is released, which runs cancel callbacks and interrupts
 * the running attempts without holding up other threads.
 */
final class BatchRun {

    private final ReentrantLock lock = new ReentrantLock();
    private final RunContext context;
    private final BatchSpec spec;
    private final JobRun[] jobs;
    private final CancellationSource token = new CancellationSource();

    // Guarded by lock.
    private Batch batch;
    private int nextPending;
    private final ArrayDeque<JobRun> retriesDue = new ArrayDeque<>();
    private int slotsInUse;
    private @Nullable ScheduledFuture<?> deadlineTimer;
    private @Nullable ScheduledFuture<?> graceTimer;
    private final List<Job> changedJobs = new ArrayList<>();
    private @Nullable BatchState stateBeforeChanges;
    /** The batch ended and the engine is not told yet: it is told once the end is in the store. */
    private boolean endUnreported;

    /**
     * @param parsedParams each job's parsed params, in job order, or null when the jobs come back
     *     from the store after a restart (their params are then parsed at each attempt)
     */
    BatchRun(RunContext context, Batch batch, List<Job> jobs, @Nullable List<Object> parsedParams) {
        this.context = context;
        this.spec = batch.spec();
        this.batch = batch;
        this.jobs = new JobRun[jobs.size()];
        for (int i = 0; i < this.jobs.length; i++) {
            this.jobs[i] = new JobRun(jobs.get(i), parsedParams == null ? null : parsedParams.get(i));
        }
        skipStarted();
    }

    UUID id() {
        return batch.id();
    }

    Batch snapshot() {
        lock.lock();
        try {
            return batch;
        } finally {
            lock.unlock();
        }
    }

    void scheduleDeadline(Duration deadline) {
        lock.lock();
        try {
            deadlineTimer = context.scheduler().schedule(
                    () -> cancel(CauseType.DEADLINE_EXCEEDED, "Deadline of " + deadline + " exceeded", null),
                    batch.createdAt().plus(deadline));
        } finally {
            lock.unlock();
        }
    }

    // ---- dispatch -------------------------------------------------------------------------------

    /** Claims the next job to hand to a worker, or null if none may start now. */
    @Nullable JobRun reserveNext() {
        lock.lock();
        try {
            if (batch.cancellation() != null || batch.state().isTerminal() || slotsInUse >= spec.maxParallelism()) {
                return null;
            }
            JobRun next = retriesDue.poll();
            if (next == null) {
                skipStarted();
                if (nextPending >= jobs.length) {
                    return null;
                }
                next = jobs[nextPending++];
            }
            slotsInUse++;
            next.holdsSlot = true;
            return next;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves past jobs that are no longer PENDING. Jobs are handed out in order but may start out of
     * order, so a batch resumed after a restart can have started jobs between pending ones.
     */
    private void skipStarted() {
        while (nextPending < jobs.length && jobs[nextPending].job.state() != JobState.PENDING) {
            nextPending++;
        }
    }

    boolean hasDispatchable() {
        lock.lock();
        try {
            skipStarted();
            return batch.cancellation() == null
                    && slotsInUse < spec.maxParallelism()
                    && (!retriesDue.isEmpty() || nextPending < jobs.length);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Called on the worker thread before the handler runs. Returns null when the batch was
     * cancelled after the job was handed over: the job then never starts.
     */
    @Nullable Attempt startAttempt(JobRun run, Thread worker) {
        lock.lock();
        try {
            if (batch.cancellation() != null || batch.state().isTerminal()) {
                releaseSlot(run);
                return null;
            }
            Instant now = context.clock().instant();
            Job job = run.job;
            Attempt attempt = new Attempt(run, job.attempts() + 1, worker, token);
            run.attempt = attempt;
            if (job.state() == JobState.PENDING) {
                context.pendingJobs().decrementAndGet();
                countMove(JobState.PENDING, JobState.RUNNING, 1);
            }
            setJob(run, new Job(job.spec(), JobState.RUNNING, attempt.number,
                    job.startedAt() == null ? now : job.startedAt(), null, job.error(), null, false));
            if (batch.state() == BatchState.QUEUED) {
                setBatch(withState(BatchState.RUNNING, now, null, batch.cancellation()));
            }
            Duration timeout = job.spec().timeout();
            if (timeout != null) {
                attempt.timeoutTimer = context.scheduler().schedule(() -> timeOut(attempt), now.plus(timeout));
            }
            flush();
            return attempt;
        } finally {
            lock.unlock();
        }
    }

    /** Called on the worker thread with the attempt's outcome. */
    void finishAttempt(Attempt attempt, Outcome outcome) {
        change(now -> {
            JobRun run = attempt.job;
            attempt.cancelTimers();
            if (attempt.abandoned) {
                return false; // settled when it was abandoned; what it did afterwards does not count
            }
            run.attempt = null;
            return switch (outcome) {
                case Outcome.Succeeded(JsonNode result) -> {
                    settle(run, JobState.SUCCEEDED, null, result, false, now);
                    yield false;
                }
                case Outcome.Stopped(StopReason reason) when reason == StopReason.TIMEOUT ->
                        failAttempt(run, JobError.timeout(run.job.spec().timeout()), false, now);
                case Outcome.Stopped ignored -> {
                    settle(run, JobState.CANCELLED, null, null, false, now);
                    yield false;
                }
                case Outcome.Failed(JobError error) -> failAttempt(run, error, false, now);
            };
        });
    }

    /**
     * Applies a change under the lock, ends the batch if nothing is left to do, publishes what
     * changed, and, if the change recorded a cause, cancels the token once the lock is released.
     *
     * @param change returns true if it recorded a cancellation cause
     * @return whether a cause was recorded
     */
    private boolean change(Predicate<Instant> change) {
        boolean causeRecorded;
        lock.lock();
        try {
            Instant now = context.clock().instant();
            causeRecorded = change.test(now);
            finishIfDone(now);
            flush();
            if (endUnreported) {
                // Only now: the engine's shutdown flushes the store and releases the lease once no
                // batch is active, and this batch's terminal change must be in that flush.
                endUnreported = false;
                context.terminated().accept(this);
            }
        } finally {
            lock.unlock();
        }
        if (causeRecorded) {
            token.cancel(StopReason.BATCH_CANCELLED);
        }
        return causeRecorded;
    }

    /**
     * For a batch resumed after a restart: every job the previous process left RUNNING counts
     * that attempt as failed with {@code error}, so it is retried if it has attempts left, else it
     * fails (which may stop a FAIL_FAST batch).
     */
    void resumeInterrupted(JobError error) {
        change(now -> {
            boolean causeRecorded = false;
            for (JobRun run : jobs) {
                if (run.job.state() == JobState.RUNNING) {
                    causeRecorded |= failAttempt(run, error, false, now);
                }
            }
            return causeRecorded;
        });
    }

    // ---- cancellation ---------------------------------------------------------------------------

    /**
     * Records the cause (if none is recorded yet and the batch is not terminal), skips every
     * pending job, then cancels the token. Returns false if the batch already had a cause or ended.
     */
    boolean cancel(CauseType cause, @Nullable String message, @Nullable String reason) {
        return change(now -> recordCause(CancellationCause.of(cause, message, reason, now), now));
    }

    boolean isTerminal() {
        return snapshot().state().isTerminal();
    }

    private boolean recordCause(CancellationCause cause, Instant now) {
        if (batch.cancellation() != null || batch.state().isTerminal()) {
            return false;
        }
        int skipped = 0;
        for (JobRun run : jobs) {
            if (run.job.state() == JobState.PENDING) {
                setJob(run, new Job(run.job.spec(), JobState.SKIPPED, 0, null, now, null, null, false));
                skipped++;
            } else if (run.isBetweenAttempts()) {
                if (run.retryTimer != null) {
                    run.retryTimer.cancel(false);
                    run.retryTimer = null;
                }
                settle(run, JobState.CANCELLED, run.job.error(), null, false, now);
            }
        }
        countMove(JobState.PENDING, JobState.SKIPPED, skipped);
        context.pendingJobs().addAndGet(-skipped);
        nextPending = jobs.length;
        retriesDue.clear();
        setBatch(withState(BatchState.CANCELLING, null, null, cause));
        if (batch.counts().running() > 0) {
            graceTimer = context.scheduler().schedule(this::abandonStragglers, now.plus(context.cancelGrace()));
        } else {
            finishIfDone(now);
        }
        return true;
    }

    /** After the cancel grace period: report still-running jobs abandoned and end the batch. */
    private void abandonStragglers() {
        change(now -> {
            if (batch.state().isTerminal()) {
                return false;
            }
            for (JobRun run : jobs) {
                if (run.attempt != null) {
                    Attempt attempt = run.attempt;
                    attempt.abandoned = true;
                    attempt.cancelTimers();
                    run.attempt = null;
                    settle(run, JobState.CANCELLED, null, null, true, now);
                }
            }
            return false;
        });
    }

    // ---- timeouts and retries -------------------------------------------------------------------

    private void timeOut(Attempt attempt) {
        lock.lock();
        try {
            if (attempt.abandoned || attempt.job.attempt != attempt) {
                return;
            }
            attempt.abandonTimer = context.scheduler().schedule(
                    () -> abandonTimedOut(attempt), context.clock().instant().plus(context.cancelGrace()));
        } finally {
            lock.unlock();
        }
        attempt.token.cancel(StopReason.TIMEOUT);
    }

    /** A timed-out attempt ignored its interrupt for the whole grace period: fail it without waiting. */
    private void abandonTimedOut(Attempt attempt) {
        change(now -> {
            JobRun run = attempt.job;
            if (attempt.abandoned || run.attempt != attempt) {
                return false;
            }
            attempt.abandoned = true;
            run.attempt = null;
            return failAttempt(run, JobError.timeout(run.job.spec().timeout()), true, now);
        });
    }

    /**
     * A failed attempt: retried after its backoff if attempts are left and the batch goes on,
     * otherwise the job fails, which may cancel the batch. Returns true if it recorded a cause.
     */
    private boolean failAttempt(JobRun run, JobError error, boolean abandoned, Instant now) {
        if (batch.cancellation() == null && run.job.attempts() < run.job.spec().retry().maxAttempts()) {
            Duration backoff = run.job.spec().retry().backoffBefore(run.job.attempts() + 1);
            setJob(run, new Job(run.job.spec(), JobState.RUNNING, run.job.attempts(), run.job.startedAt(), null, error,
                    null, false));
            run.retryTimer = context.scheduler().schedule(() -> retryDue(run), now.plus(backoff));
            return false;
        }
        settle(run, JobState.FAILED, error, null, abandoned, now);
        CauseType type = spec.causeAfterFailures(batch.counts().failed());
        return type != null && recordCause(CancellationCause.jobFailed(type, run.id(), error, now), now);
    }

    private void retryDue(JobRun run) {
        lock.lock();
        try {
            run.retryTimer = null;
            if (batch.cancellation() != null || run.job.state() != JobState.RUNNING) {
                return;
            }
            // The job gives its slot back and queues first in line to take one again.
            releaseSlot(run);
            retriesDue.add(run);
        } finally {
            lock.unlock();
        }
        context.dispatchable().accept(this);
    }

    // ---- state changes --------------------------------------------------------------------------

    private void settle(JobRun run, JobState state, @Nullable JobError error, @Nullable JsonNode result,
            boolean abandoned, Instant now) {
        Job job = run.job;
        countMove(job.state(), state, 1);
        releaseSlot(run);
        setJob(run, new Job(job.spec(), job.state().transitionTo(state), job.attempts(), job.startedAt(), now,
                error, result, abandoned));
    }

    private void releaseSlot(JobRun run) {
        if (run.holdsSlot) {
            run.holdsSlot = false;
            slotsInUse--;
        }
    }

    private void finishIfDone(Instant now) {
        BatchState terminal = batch.terminalStateIfDone();
        if (terminal != null) {
            CancellationCause cause = batch.cancellation();
            finish(terminal, cause == null ? null : cause.completed(now), now);
        }
    }

    private void finish(BatchState state, @Nullable CancellationCause cause, Instant now) {
        setBatch(withState(state, null, now, cause));
        if (deadlineTimer != null) {
            deadlineTimer.cancel(false);
        }
        if (graceTimer != null) {
            graceTimer.cancel(false);
        }
        endUnreported = true; // every change ends in change(), which reports it after the flush
    }

    private void countMove(JobState from, JobState to, int n) {
        batch = batch.withJobsMoved(from, to, n);
    }

    private Batch withState(BatchState state, @Nullable Instant startedAt, @Nullable Instant finishedAt,
            @Nullable CancellationCause cause) {
        return new Batch(batch.id(), spec, batch.state().transitionTo(state), batch.createdAt(),
                startedAt != null ? startedAt : batch.startedAt(), finishedAt, batch.counts(), cause);
    }

    private void setJob(JobRun run, Job job) {
        run.job = job;
        changedJobs.add(job);
    }

    private void setBatch(Batch next) {
        if (stateBeforeChanges == null) {
            stateBeforeChanges = batch.state();
        }
        batch = next;
    }

    /** Publishes what changed since the last flush: to the store, then to the listeners. */
    private void flush() {
        BatchState previous = stateBeforeChanges != null && stateBeforeChanges != batch.state() ? stateBeforeChanges : null;
        if (changedJobs.isEmpty() && stateBeforeChanges == null) {
            return;
        }
        context.publisher().changed(batch, List.copyOf(changedJobs), previous);
        changedJobs.clear();
        stateBeforeChanges = null;
    }
}
