package dev.failfast.engine.cluster;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobState;
import dev.failfast.engine.AttemptOutcomes;
import dev.failfast.engine.Outcome;
import dev.failfast.settings.FailfastProperties.RecoveryMode;
import dev.failfast.store.ClusterStore;
import dev.failfast.store.LockedBatch;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What one replica does to a batch in one transaction, with the batch's row locked: the
 * same rules as a single instance's {@code BatchRun}, on the rows. A failure under
 * FAIL_FAST records the cause, which skips every pending job in the same transaction; the
 * batch ends when no job runs any more. Jobs change through {@link Job}'s transitions,
 * except where one SQL statement moves many rows at once (claiming PENDING → RUNNING,
 * skipping PENDING → SKIPPED | CANCELLED, putting back RUNNING → PENDING), each a move
 * {@link JobState}'s table admits.
 */
final class BatchTransaction {

    /**
     * What a committed transaction did, for the replica's listeners and its held
     * attempts.
     */
    record Result(Batch batch, List<Job> changedJobs, @Nullable BatchState previousState, boolean causeRecorded) {
    }

    private final LockedBatch locked;

    private final Instant now;

    private final BatchState before;

    private final List<Job> changedJobs = new ArrayList<>();

    private Batch batch;

    private boolean changed;

    private boolean causeRecorded;

    BatchTransaction(LockedBatch locked, Instant now) {
        this.locked = locked;
        this.now = now;
        this.batch = locked.batch();
        this.before = batch.state();
    }

    Batch batch() {
        return batch;
    }

    /**
     * Counts jobs that were RUNNING and have been written in their new state: one that
     * ended may record the cause ({@link Batch#causeAfterMove}), a PENDING one (handed
     * back) is claimed again.
     */
    void ranJobsWritten(List<Job> written) {
        List<String> handedBack = new ArrayList<>();
        for (Job job : written) {
            changedJobs.add(job);
            changed = true;
            if (job.state() != JobState.RUNNING) {
                batch = batch.withJobMoved(JobState.RUNNING, job);
            }
            if (job.state() == JobState.PENDING) {
                handedBack.add(job.id());
            }
            else if (job.state().isTerminal()) {
                ended(job);
            }
        }
        if (!handedBack.isEmpty()) {
            // Handed back by a replica that leaves: claimed again first, by any replica.
            locked.moveCursorBackTo(handedBack);
            locked.announceWork();
        }
    }

    private void ended(Job job) {
        CancellationCause cause = batch.causeAfterMove(job, now);
        if (cause != null) {
            recordCause(cause);
        }
    }

    /**
     * Records the cause unless the batch has one or ended: every PENDING job is SKIPPED,
     * the batch CANCELLING, and every replica told. Returns false if nothing was
     * recorded.
     */
    boolean recordCause(CancellationCause cause) {
        if (batch.cancellation() != null || batch.state().isTerminal()) {
            return false;
        }
        // First, so that the stop report counts the jobs the cause skips.
        batch = batch.cancelling(cause);
        List<Job> ended = locked.skipPending(now);
        changedJobs.addAll(ended);
        ended.forEach(job -> countMove(JobState.PENDING, job.state(), 1));
        locked.announceCause();
        changed = true;
        causeRecorded = true;
        return true;
    }

    /**
     * Settles the RUNNING jobs of a replica whose lease expired, as a restart settles
     * those of a dead single instance: {@code FAIL} fails them and the batch (cause
     * OWNER_LOST); {@code RESUME} puts the jobs with attempts left back to PENDING, for
     * any replica to run again.
     */
    void ownerLost(String node, RecoveryMode mode) {
        List<Job> lost = locked.runningJobsOf(node);
        if (lost.isEmpty()) {
            return;
        }
        changed = true;
        List<Job> settled = new ArrayList<>();
        List<Job> requeued = new ArrayList<>();
        boolean hadCause = batch.cancellation() != null;
        for (Job job : lost) {
            // Under RESUME the interrupted attempt failed, as a single instance's restart
            // counts it, and the batch's rules decide whether the job runs again.
            Job after = hadCause ? job.cancelledKeepingLastError(now)
                    : mode == RecoveryMode.RESUME
                            ? AttemptOutcomes.jobAfter(job, new Outcome.Failed(JobError.OWNER_STOPPED),
                                    batch.spec().policies(), false, now)
                            : job.failed(JobError.OWNER_STOPPED, false, now);
            if (after.state() == JobState.RUNNING) {
                // Retried: its next attempt runs anywhere, PENDING again.
                requeued.add(after.requeued(JobError.OWNER_STOPPED, now));
            }
            else {
                settled.add(after);
            }
        }
        if (!requeued.isEmpty()) {
            locked.requeue(requeued);
            countMove(JobState.RUNNING, JobState.PENDING, requeued.size());
            changedJobs.addAll(requeued);
            locked.announceWork();
        }
        locked.updateJobs(settled);
        if (mode == RecoveryMode.FAIL && !hadCause) {
            changedJobs.addAll(settled);
            settled.forEach(job -> batch = batch.withJobMoved(JobState.RUNNING, job));
            String owner = node.equals(ClusterStore.NO_OWNER)
                    ? "The single instance that ran the batch before cluster mode" : "The replica " + node;
            recordCause(CancellationCause.of(CauseType.OWNER_LOST,
                    owner + " running jobs of the batch stopped before they finished", null, now));
        }
        else {
            ranJobsWritten(settled);
        }
    }

    /**
     * Puts back jobs this replica claimed but never started: it did not learn that their
     * claim committed. They are claimed again like any pending job, so they run once.
     */
    void claimsLost(Collection<String> jobIds, String node) {
        List<Job> putBack = locked.unclaim(jobIds, node);
        if (!putBack.isEmpty()) {
            changed = true;
            changedJobs.addAll(putBack);
            countMove(JobState.RUNNING, JobState.PENDING, putBack.size());
            if (batch.cancellation() == null) {
                locked.announceWork();
            }
            else {
                // The batch was cancelled meanwhile: the jobs end as the other pending
                // ones did.
                List<Job> ended = locked.skipPending(now);
                changedJobs.addAll(ended);
                ended.forEach(job -> countMove(JobState.PENDING, job.state(), 1));
            }
        }
    }

    /** Writes the batch, ended if nothing is left to run, and returns what changed. */
    Result commit() {
        batch = batch.endedIfDone(now);
        boolean stateChanged = batch.state() != before;
        if (changed || stateChanged) {
            locked.save(batch);
        }
        return new Result(batch, List.copyOf(changedJobs), stateChanged ? before : null, causeRecorded);
    }

    /**
     * Whether the batch could not start a job before this change and may now (a slot came
     * free).
     */
    boolean freedSlotForPending() {
        Batch old = locked.batch();
        return old.counts().running() >= old.spec().maxParallelism() && batch.cancellation() == null
                && batch.counts().pending() > 0 && batch.counts().running() < batch.spec().maxParallelism();
    }

    private void countMove(JobState from, JobState to, int n) {
        batch = batch.withJobsMoved(from, to, n);
    }

}
