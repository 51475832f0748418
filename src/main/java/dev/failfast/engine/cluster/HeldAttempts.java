package dev.failfast.engine.cluster;

import dev.failfast.engine.Attempt;
import dev.failfast.engine.AttemptRunner;
import dev.failfast.engine.AttemptTimers;
import dev.failfast.engine.JobRun;
import dev.failfast.engine.Outcome;
import dev.failfast.engine.StopReason;
import dev.failfast.store.ClusterStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.core.task.TaskExecutor;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.dao.DataAccessException;

/**
 * The attempts of the jobs this replica holds: it starts them on the executor, arms their
 * timeouts, stops them when their batch gets a cause anywhere in the cluster, abandons
 * those that ignore it past the grace period, and waits out retry backoffs. Whatever
 * happens to a job is queued as a {@link Settlement} for the {@link OutcomeWriter}.
 */
final class HeldAttempts {

    private static final Logger log = LoggerFactory.getLogger(HeldAttempts.class);

    private final ClusterStore cluster;

    private final AttemptRunner runner;

    private final TaskExecutor executor;

    private final AttemptTimers timers;

    private final Clock clock;

    private final WorkerThreads threads;

    private final HeldBatches held;

    private final BlockingQueue<Settlement> settlements;

    private final Duration resubmitDelay;

    private volatile boolean leaving;

    HeldAttempts(ClusterStore cluster, AttemptRunner runner, TaskExecutor executor, AttemptTimers timers, Clock clock,
            WorkerThreads threads, HeldBatches held, BlockingQueue<Settlement> settlements, Duration resubmitDelay) {
        this.cluster = cluster;
        this.runner = runner;
        this.executor = executor;
        this.timers = timers;
        this.clock = clock;
        this.threads = threads;
        this.held = held;
        this.settlements = settlements;
        this.resubmitDelay = resubmitDelay;
    }

    /**
     * Hands attempt {@code number} of a held job to the executor; {@code slot} is its
     * thread.
     */
    // A delayed resubmission is never cancelled: it checks the cause.
    @SuppressWarnings("FutureReturnValueIgnored")
    void start(HeldBatch batch, JobRun run, int number, WorkerThreads.Slot slot) {
        String batchId = batch.id.toString();
        try {
            executor.execute(() -> {
                try (var _ = MDC.putCloseable("batchId", batchId); var _ = MDC.putCloseable("jobId", run.id())) {
                    runAttempt(batch, run, number, slot);
                }
                finally {
                    slot.returned();
                }
            });
        }
        catch (TaskRejectedException e) {
            slot.returned();
            if (leaving) {
                // The replica shuts down: another one runs the job, its attempt not
                // counted.
                settlements.add(new Settlement.HandedBack(batch, run, false));
            }
            else {
                // Retries that came due on top of a full pool overflowed the executor's
                // queue: this attempt waits a little (a cancellation meanwhile stops it
                // before its handler runs).
                timers.after(resubmitDelay, () -> start(batch, run, number, threads.take()));
            }
        }
    }

    private void runAttempt(HeldBatch batch, JobRun run, int number, WorkerThreads.Slot slot) {
        Attempt attempt = causeRecorded(batch) ? null : startUnlessCancelled(batch, run, number, slot);
        if (attempt == null) {
            // The cause was recorded after the claim and before a thread got to the job:
            // it does not start.
            settlements.add(new Settlement.NotStarted(batch, run));
            return;
        }
        runner.run(batch.id, batch.tenant, attempt, outcome -> ended(batch, attempt, outcome));
    }

    /**
     * Starts the attempt, under the batch's lock, unless the batch's token was cancelled
     * by now: {@link #cancel} cancels the token before it takes the lock, so an attempt
     * started here is one that the cancellation's stragglers timer sees.
     */
    private @Nullable Attempt startUnlessCancelled(HeldBatch batch, JobRun run, int number, WorkerThreads.Slot slot) {
        batch.lock.lock();
        try {
            if (batch.token.isCancelled()) {
                return null;
            }
            Attempt attempt = new Attempt(run, number, Thread.currentThread(), batch.token);
            run.job(run.job().started(number, clock.instant()));
            run.attempt(attempt);
            batch.attempts.put(attempt, slot);
            timers.armTimeout(attempt, batch.lock, timedOut -> abandon(batch, timedOut, StopReason.TIMEOUT));
            return attempt;
        }
        finally {
            batch.lock.unlock();
        }
    }

    /**
     * Whether the batch has a cause, heard of or in the database: a cause committed on
     * another replica after this job's claim may not have been announced here yet.
     */
    private boolean causeRecorded(HeldBatch batch) {
        if (batch.token.isCancelled()) {
            return true;
        }
        try {
            if (!batch.causeRead.read(() -> cluster.hasCause(batch.id))) {
                return false;
            }
        }
        catch (DataAccessException e) {
            log.warn("Cannot read whether batch {} has a cause; its claimed job starts", batch.id, e);
            return false;
        }
        causeRecorded(batch.id, batch.run);
        return true;
    }

    private void ended(HeldBatch batch, Attempt attempt, Outcome outcome) {
        batch.lock.lock();
        try {
            batch.attempts.remove(attempt);
            if (!attempt.end()) {
                return; // abandoned: settled then, and what it did afterwards does not
                        // count
            }
            attempt.job().attempt(null);
        }
        finally {
            batch.lock.unlock();
        }
        settlements.add(new Settlement.Ended(batch, attempt.job(), outcome));
    }

    /**
     * The attempt ignored its token for the whole grace period: reported ended, its
     * thread left to finish.
     */
    private void abandon(HeldBatch batch, Attempt attempt, StopReason reason) {
        WorkerThreads.Slot slot;
        batch.lock.lock();
        try {
            slot = batch.attempts.remove(attempt);
            if (slot == null || !attempt.abandon()) {
                return;
            }
            attempt.job().attempt(null);
        }
        finally {
            batch.lock.unlock();
        }
        slot.abandoned();
        settlements.add(new Settlement.Ended(batch, attempt.job(), new Outcome.Abandoned(reason)));
    }

    /**
     * A batch's cause was recorded (here or on another replica): stops its jobs on this
     * replica.
     */
    void causeRecorded(UUID batchId, int run) {
        HeldBatch batch = held.causeRecorded(batchId, run);
        if (batch != null) {
            cancel(batch);
        }
    }

    /**
     * Interrupts the batch's attempts, cancels its retries, and abandons stragglers after
     * the grace period.
     */
    // The grace timer is never cancelled: it finds no straggler.
    @SuppressWarnings("FutureReturnValueIgnored")
    void cancel(HeldBatch batch) {
        if (!batch.token.cancel(StopReason.BATCH_CANCELLED)) {
            return;
        }
        batch.lock.lock();
        try {
            for (JobRun run : batch.waitingRetry) {
                run.cancelRetry();
                settlements.add(new Settlement.RetryCancelled(batch, run));
            }
            batch.waitingRetry.clear();
            timers.afterGrace(() -> abandonStragglers(batch));
        }
        finally {
            batch.lock.unlock();
        }
    }

    private void abandonStragglers(HeldBatch batch) {
        List<Attempt> stragglers;
        batch.lock.lock();
        try {
            stragglers = new ArrayList<>(batch.attempts.keySet());
        }
        finally {
            batch.lock.unlock();
        }
        stragglers.forEach(attempt -> abandon(batch, attempt, StopReason.BATCH_CANCELLED));
    }

    /**
     * An attempt failed and the job has attempts left, or its target asked to be called
     * later: it runs again here after {@code wait} (its backoff, or the deferral's wait).
     */
    void scheduleRetry(HeldBatch batch, JobRun run, Instant now, Duration wait) {
        batch.lock.lock();
        try {
            if (batch.token.isCancelled()) {
                settlements.add(new Settlement.RetryCancelled(batch, run));
                return;
            }
            if (leaving) {
                settlements.add(new Settlement.HandedBack(batch, run, true));
                return;
            }
            batch.waitingRetry.add(run);
            run.retryTimer(timers.at(now.plus(wait), () -> retryDue(batch, run)));
        }
        finally {
            batch.lock.unlock();
        }
    }

    private void retryDue(HeldBatch batch, JobRun run) {
        int number;
        batch.lock.lock();
        try {
            if (!batch.waitingRetry.remove(run)) {
                return; // cancelled meanwhile
            }
            run.retryTimer(null);
            number = run.job().attempts() + 1;
        }
        finally {
            batch.lock.unlock();
        }
        // Started by the outcome writer once written, if the batch still has no cause and
        // the job is still ours.
        settlements.add(new Settlement.RetryStarted(batch, run, number));
    }

    /**
     * The replica leaves (it shuts down): the retries waiting here, and any scheduled
     * from now on, are handed back for other replicas to run, rather than waited for; so
     * are attempts the executor refuses. What runs on a thread here goes on, for the
     * drain.
     */
    void leave(Collection<HeldBatch> batches) {
        leaving = true;
        for (HeldBatch batch : batches) {
            batch.lock.lock();
            try {
                for (JobRun run : batch.waitingRetry) {
                    run.cancelRetry();
                    settlements.add(new Settlement.HandedBack(batch, run, true));
                }
                batch.waitingRetry.clear();
            }
            finally {
                batch.lock.unlock();
            }
        }
    }

    /** A stopped replica joins again. */
    void starting() {
        leaving = false;
    }

}
