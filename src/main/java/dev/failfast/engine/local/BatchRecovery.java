package dev.failfast.engine.local;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobState;
import dev.failfast.settings.FailfastProperties.RecoveryMode;
import dev.failfast.store.BatchStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On startup, settles the batches a previous process left QUEUED, RUNNING or CANCELLING.
 *
 * <p>
 * {@link RecoveryMode#FAIL}: jobs that were running become FAILED with error type
 * {@value JobError#INTERRUPTED}, jobs that never started SKIPPED, and the batch FAILED
 * with cause {@link CauseType#OWNER_LOST}. {@link RecoveryMode#RESUME}: the batch runs
 * on; jobs that were running are retried if they have attempts left (see
 * {@code BatchRun#resumeInterrupted}). A batch that was CANCELLING keeps its first cause
 * in both modes and only finishes: its running jobs become CANCELLED, as they would have.
 */
final class BatchRecovery {

    private static final Logger log = LoggerFactory.getLogger(BatchRecovery.class);

    private final BatchStore store;

    private final BatchPublisher publisher;

    private final Clock clock;

    private final RecoveryMode mode;

    BatchRecovery(BatchStore store, BatchPublisher publisher, Clock clock, RecoveryMode mode) {
        this.store = store;
        this.publisher = publisher;
        this.clock = clock;
        this.mode = mode;
    }

    /**
     * Settles every unfinished batch, or hands it with all its jobs to {@code resume}.
     */
    void recover(BiConsumer<Batch, List<Job>> resume) {
        for (Batch batch : store.findUnfinished()) {
            List<Job> jobs = store.findAllJobs(batch.id());
            if (mode == RecoveryMode.RESUME && batch.cancellation() == null) {
                log.warn("Batch {} was left {} by a previous process: resuming {} pending and {} interrupted jobs",
                        batch.id(), batch.state(), batch.counts().pending(), batch.counts().running());
                resume.accept(batch, jobs);
            }
            else {
                settle(batch, jobs);
            }
        }
    }

    private void settle(Batch batch, List<Job> jobs) {
        Instant now = clock.instant();
        CancellationCause first = batch.cancellation();
        Batch settled = batch;
        List<Job> changed = new ArrayList<>();
        if (first == null) {
            // As a cluster settles a lost replica's jobs: the running ones fail, then the
            // cause (and its stop report) skips the others.
            for (Job job : jobs) {
                if (job.state() == JobState.RUNNING) {
                    Job after = job.failed(JobError.OWNER_STOPPED, false, now);
                    changed.add(after);
                    settled = settled.withJobMoved(job, after);
                }
            }
            settled = settled.cancelling(CancellationCause.of(CauseType.OWNER_LOST,
                    "The process running the batch stopped before it finished", null, now));
        }
        for (Job job : jobs) {
            Job after = switch (job.state()) {
                case PENDING -> job.stoppedWhilePending(now);
                case RUNNING -> first == null ? null : job.cancelledKeepingLastError(now);
                case SUCCEEDED, FAILED, CANCELLED, SKIPPED -> null; // ended before the
                                                                    // process stopped
            };
            if (after != null) {
                changed.add(after);
                settled = settled.withJobMoved(job, after);
            }
        }
        CancellationCause cause = Objects.requireNonNull(settled.cancellation(), "recorded above").completed(now);
        BatchState terminal = cause.cause().terminalState();
        settled = settled.ended(terminal, cause, now);
        publisher.changed(settled, changed, batch.state());
        log.warn("Batch {} was left {} by a previous process: {} with cause {}, {}", batch.id(), batch.state(),
                terminal, cause.cause(), settled.counts());
    }

}
