package dev.failfast.engine.cluster;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchPolicies;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobState;
import dev.failfast.engine.AttemptOutcomes;
import dev.failfast.engine.Backoff;
import dev.failfast.engine.Deferrals;
import dev.failfast.store.ClusterStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what happened to the jobs this replica holds, on a thread of its own: all the
 * settlements waiting, one transaction per batch (so a burst of short jobs costs a few
 * transactions, not one per job), each fenced by the job still being RUNNING and owned
 * here. After the commit it lets go of ended jobs and starts retries that were written.
 */
final class OutcomeWriter {

    private static final Logger log = LoggerFactory.getLogger(OutcomeWriter.class);

    private final String node;

    private final ClusterStore cluster;

    private final Clock clock;

    private final LinkedBlockingDeque<Settlement> settlements;

    private final HeldAttempts attempts;

    private final HeldBatches held;

    private final WorkerThreads threads;

    private final Consumer<BatchTransaction.Result> committed;

    private final Duration pollInterval;

    private final Deferrals deferrals;

    private volatile boolean stopped;

    OutcomeWriter(String node, ClusterStore cluster, Clock clock, LinkedBlockingDeque<Settlement> settlements,
            HeldAttempts attempts, HeldBatches held, WorkerThreads threads, Consumer<BatchTransaction.Result> committed,
            Duration pollInterval, Deferrals deferrals) {
        this.node = node;
        this.cluster = cluster;
        this.clock = clock;
        this.settlements = settlements;
        this.attempts = attempts;
        this.held = held;
        this.threads = threads;
        this.committed = committed;
        this.pollInterval = pollInterval;
        this.deferrals = deferrals;
    }

    /** Before the thread starts {@link #run}: writes until {@link #stop}. */
    void starting() {
        stopped = false;
    }

    /** Makes {@link #run} return once it has written what is waiting. */
    void stop() {
        stopped = true;
    }

    /** The writer thread's loop; never ends on a failure, only after {@link #stop}. */
    void run() {
        List<Settlement> group = new ArrayList<>();
        while (!stopped || !settlements.isEmpty()) {
            try {
                Settlement first = settlements.poll(pollInterval.toNanos(), TimeUnit.NANOSECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
            }
            catch (InterruptedException e) {
                return;
            }
            settlements.drainTo(group);
            Map<HeldBatch, List<Settlement>> byBatch = new LinkedHashMap<>();
            group.forEach(s -> byBatch.computeIfAbsent(s.batch(), b -> new ArrayList<>()).add(s));
            group.clear();
            byBatch.forEach((batch, items) -> {
                try {
                    write(batch, items);
                }
                catch (RuntimeException e) {
                    log.warn("Writing {} job outcomes of batch {} failed; retrying", items.size(), batch.id, e);
                    // Ahead of what came in meanwhile, in their order: a job's outcomes
                    // are written in order.
                    items.reversed().forEach(settlements::offerFirst);
                    pause();
                }
            });
        }
    }

    private void pause() {
        try {
            Thread.sleep(pollInterval);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes one batch's settlements in one transaction (package-private for tests). */
    void write(HeldBatch batch, List<Settlement> items) {
        Instant now = clock.instant();
        List<Job> intended = new ArrayList<>(items.size());
        List<@Nullable Backoff> waits = new ArrayList<>(items.size());
        var written = cluster.change(batch.id, locked -> {
            var transaction = new BatchTransaction(locked, now);
            // As a single instance does, one outcome after the other: an outcome that
            // records the cause (a failure beyond the tolerance, a FAIL_BATCH rule, a
            // success policy met) means the failures after it are not retried. The
            // transaction judges each move the same way, on the same batch.
            Batch walk = transaction.batch();
            boolean causeAhead = walk.cancellation() != null;
            intended.clear();
            waits.clear();
            for (Settlement item : items) {
                Job job = jobAfter(item, walk.spec().policies(), causeAhead, now);
                // The wait of a job left RUNNING between attempts, chosen before the
                // write so that its attempt's record keeps it; null for the others.
                Backoff wait = null;
                if (item instanceof Settlement.Ended(var b, var r, var outcome) && job.state() == JobState.RUNNING) {
                    wait = AttemptOutcomes.nextAttempt(job, outcome, walk, deferrals, now);
                    job = job.backoff(wait.delay(), wait.reason());
                }
                intended.add(job);
                waits.add(wait);
                if (!causeAhead && job.state() != JobState.RUNNING) {
                    walk = walk.withJobMoved(JobState.RUNNING, job);
                    causeAhead = walk.causeAfterMove(job, now) != null;
                }
            }
            Set<String> ids = locked.updateOwnedJobs(intended, node);
            transaction.ranJobsWritten(intended.stream().filter(job -> ids.contains(job.id())).toList());
            if (transaction.freedSlotForPending()) {
                locked.announceWork();
            }
            return new Written(transaction.commit(), ids);
        });
        List<String> done = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Settlement item = items.get(i);
            if (written.isEmpty() || !written.get().ids().contains(intended.get(i).id())) {
                done.add(item.run().id()); // the batch was deleted, or a replica that
                                           // took the job over settled it
                continue;
            }
            Job job = intended.get(i);
            item.run().job(job);
            if (job.state().isTerminal() || job.state() == JobState.PENDING) {
                done.add(job.id()); // ended, or handed back to be claimed again
            }
            else if (item instanceof Settlement.RetryStarted(var b, var run, int attempt)) {
                attempts.start(batch, run, attempt, threads.take());
            }
            else {
                attempts.scheduleRetry(batch, item.run(), now,
                        Objects.requireNonNull(waits.get(i), "a job waiting between attempts has its wait").delay());
            }
        }
        written.ifPresent(w -> {
            committed.accept(w.result());
            if (w.result().causeRecorded()) {
                attempts.causeRecorded(batch.id, batch.run);
            }
        });
        held.release(batch, done);
    }

    private record Written(BatchTransaction.Result result, Set<String> ids) {
    }

    /**
     * The job as {@code item} leaves it; {@code causeAhead}: the batch has a cause, or
     * this write records one.
     */
    private static Job jobAfter(Settlement item, BatchPolicies policies, boolean causeAhead, Instant now) {
        Job job = item.run().job();
        return switch (item) {
            case Settlement.Ended(var b, var r, var outcome) ->
                AttemptOutcomes.jobAfter(job, outcome, policies, causeAhead, now);
            case Settlement.NotStarted ignored -> job.claimWithdrawn(now);
            case Settlement.HandedBack(var b, var r, boolean ran) when causeAhead ->
                ran ? job.cancelledKeepingLastError(now) : job.claimWithdrawn(now);
            case Settlement.HandedBack(var b, var r, boolean ran) ->
                ran ? job.requeued(Objects.requireNonNullElse(job.error(), JobError.OWNER_STOPPED), now)
                        : job.unclaimed();
            case Settlement.RetryCancelled ignored -> job.cancelledKeepingLastError(now);
            case Settlement.RetryStarted(var b, var r, int attempt) ->
                causeAhead ? job.cancelledKeepingLastError(now) : job.started(attempt, now);
        };
    }

}
