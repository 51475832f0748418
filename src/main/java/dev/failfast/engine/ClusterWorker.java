package dev.failfast.engine;

import dev.failfast.batch.Batch;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobState;
import dev.failfast.store.ClusterStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.core.task.TaskExecutor;
import org.springframework.core.task.TaskRejectedException;
import org.springframework.scheduling.TaskScheduler;
import tools.jackson.databind.JsonNode;

/**
 * One replica's share of the cluster's work. A claimer thread takes jobs from the database as
 * worker threads come free ({@link ClusterStore#claim}); the jobs run on the executor; a settler
 * thread writes their outcomes, one transaction per batch for all the outcomes waiting (so a
 * burst of short jobs costs a few transactions, not one per job).
 *
 * <p>For each batch it runs jobs of, the replica keeps a token. A cause recorded anywhere in the
 * cluster cancels it ({@link #cancelled}): the batch's attempts here are interrupted, its retries
 * waiting here are cancelled, and after the cancel grace period attempts that ignored the
 * interrupt are reported abandoned. Retries and job timeouts run on the replica that claimed the
 * job; the job keeps its parallelism slot while it waits out a retry backoff.
 */
final class ClusterWorker {

    private static final Logger log = LoggerFactory.getLogger(ClusterWorker.class);
    /** Causes announced recently, remembered for claims committed just before their notice arrived. */
    private static final int RECENT_CAUSES = 4096;

    /** Settings and collaborators of a worker. */
    record Setup(
            String node,
            ClusterStore cluster,
            AttemptRunner runner,
            TaskExecutor executor,
            TaskScheduler scheduler,
            Clock clock,
            Duration cancelGrace,
            int capacity,
            int claimSize,
            Duration pollInterval) {}

    private final Setup setup;
    private final ClusterStore cluster;
    private final Clock clock;
    /** Receives every committed change this replica made, for the listeners. */
    private final Consumer<BatchChange.Result> committed;
    private final Map<UUID, LocalBatch> batches = new ConcurrentHashMap<>();
    private final Set<UUID> recentCauses = Collections.synchronizedSet(Collections.newSetFromMap(
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<UUID, Boolean> eldest) {
                    return size() > RECENT_CAUSES;
                }
            }));
    /**
     * Worker threads in use: claimed jobs not yet on a thread, and attempts whose thread has not
     * returned. Claims fill up to the pool size, so a claimed job starts at once; a job whose
     * attempt returned frees its thread before its outcome is written, so the next claim overlaps
     * with that write.
     */
    private final AtomicInteger busy = new AtomicInteger();
    private final Object idle = new Object();
    private final Semaphore wake = new Semaphore(0);
    private final LinkedBlockingDeque<Settlement> settlements = new LinkedBlockingDeque<>();
    private volatile boolean claiming;
    private volatile boolean stopped;
    private @Nullable Thread claimer;
    private @Nullable Thread settler;

    ClusterWorker(Setup setup, Consumer<BatchChange.Result> committed) {
        this.setup = setup;
        this.cluster = setup.cluster();
        this.clock = setup.clock();
        this.committed = committed;
    }

    // ---- life cycle -----------------------------------------------------------------------------

    void start() {
        stopped = false;
        claiming = true;
        claimer = Thread.ofPlatform().name("failfast-claim").daemon().start(this::claimLoop);
        settler = Thread.ofPlatform().name("failfast-settle").daemon().start(this::settleLoop);
    }

    /** Claims no more jobs; those claimed go on. */
    void stopClaiming() {
        claiming = false;
    }

    /** Waits until every job claimed here is settled, or the timeout passed; true if none is left. */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (!batches.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
            return true;
        }
    }

    /** Stops the claimer, and the settler once it has written what is waiting. */
    void stop() throws InterruptedException {
        claiming = false;
        stopped = true;
        wake.release();
        for (Thread thread : new Thread[] {claimer, settler}) {
            if (thread != null) {
                thread.join(Duration.ofSeconds(10));
            }
        }
    }

    /** Asks the claimer to look for jobs now (a batch was submitted, a slot came free). */
    void wake() {
        wake.release();
    }

    /** Batches this replica runs jobs of. */
    Set<UUID> localBatches() {
        return Set.copyOf(batches.keySet());
    }

    /** Jobs claimed here and not yet settled: running, waiting to retry, or waiting to be written. */
    int heldJobs() {
        return batches.values().stream().mapToInt(batch -> batch.jobIds.size()).sum();
    }

    /** The jobs claimed here and not yet settled, by batch and job id. */
    Set<ClusterStore.JobKey> heldJobKeys() {
        Set<ClusterStore.JobKey> keys = new HashSet<>();
        batches.forEach((id, batch) -> batch.jobIds.forEach(jobId -> keys.add(new ClusterStore.JobKey(id, jobId))));
        return keys;
    }

    // ---- claiming -------------------------------------------------------------------------------

    private void claimLoop() {
        while (!stopped) {
            try {
                wake.tryAcquire(setup.pollInterval().toNanos(), TimeUnit.NANOSECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
            try {
                claimWhileFree();
            } catch (RuntimeException e) {
                // A database that went away fails in many ways (not only DataAccessException): never end the loop.
                log.warn("Claiming jobs failed; trying again in {}", setup.pollInterval(), e);
                pause();
            }
        }
    }

    private void claimWhileFree() {
        while (claiming) {
            int free = setup.capacity() - busy.get();
            if (free <= 0) {
                return;
            }
            var claim = cluster.claim(setup.node(), Math.min(free, setup.claimSize()), clock.instant()).orElse(null);
            if (claim == null) {
                return;
            }
            UUID id = claim.batch().id();
            int claimed = claim.jobs().size();
            busy.addAndGet(claimed);
            LocalBatch local = batches.compute(id, (key, existing) -> {
                LocalBatch batch = existing != null ? existing : new LocalBatch(id);
                claim.jobs().forEach(job -> batch.jobIds.add(job.id()));
                return batch;
            });
            committed.accept(new BatchChange.Result(claim.batch(), claim.jobs(), claim.previousState(), false));
            if (recentCauses.contains(id)) {
                local.cancel(); // its notice arrived between the claim's commit and now
            }
            for (Job job : claim.jobs()) {
                submit(local, new JobRun(job, null), job.attempts());
            }
        }
    }

    // ---- attempts -------------------------------------------------------------------------------

    /** Hands an attempt to the executor; its thread is counted busy already. */
    private void submit(LocalBatch local, JobRun run, int number) {
        String batchId = local.id.toString();
        try {
            setup.executor().execute(() -> {
                try (var _ = MDC.putCloseable("batchId", batchId);
                        var _ = MDC.putCloseable("jobId", run.id())) {
                    runAttempt(local, run, number);
                } finally {
                    busy.decrementAndGet();
                    wake.release();
                }
            });
        } catch (TaskRejectedException e) {
            busy.decrementAndGet();
            if (stopped) {
                // A shut-down executor: the job is reported cancelled, not left RUNNING.
                settlements.add(new Settlement.Ended(local, run, number, new Outcome.Stopped(StopReason.BATCH_CANCELLED)));
            } else {
                // Retries that came due on top of a full pool overflowed the executor's queue: this
                // attempt waits a little (a cancellation meanwhile stops it before its handler runs).
                setup.scheduler().schedule(() -> {
                    busy.incrementAndGet();
                    submit(local, run, number);
                }, clock.instant().plus(setup.pollInterval()));
            }
        }
    }

    private void runAttempt(LocalBatch local, JobRun run, int number) {
        Attempt attempt = new Attempt(run, number, Thread.currentThread(), local.token);
        local.lock.lock();
        try {
            run.attempt = attempt;
            local.attempts.add(attempt);
            Duration timeout = run.job.spec().timeout();
            if (timeout != null) {
                attempt.timeoutTimer = setup.scheduler().schedule(() -> timeOut(local, attempt),
                        clock.instant().plus(timeout));
            }
        } finally {
            local.lock.unlock();
        }
        if (local.token.isCancelled()) {
            // The cause was recorded after the claim and before a thread got to the job: it does not start.
            attempt.detachWorker();
            ended(local, attempt, new Outcome.Stopped(StopReason.BATCH_CANCELLED));
            return;
        }
        setup.runner().run(local.id, attempt, outcome -> ended(local, attempt, outcome));
    }

    private void ended(LocalBatch local, Attempt attempt, Outcome outcome) {
        local.lock.lock();
        try {
            attempt.cancelTimers();
            local.attempts.remove(attempt);
            if (attempt.abandoned) {
                return; // settled when it was abandoned; what it did afterwards does not count
            }
            attempt.job.attempt = null;
        } finally {
            local.lock.unlock();
        }
        settlements.add(new Settlement.Ended(local, attempt.job, attempt.number, outcome));
    }

    private void timeOut(LocalBatch local, Attempt attempt) {
        local.lock.lock();
        try {
            if (attempt.abandoned || !local.attempts.contains(attempt)) {
                return;
            }
            attempt.abandonTimer = setup.scheduler().schedule(() -> abandonTimedOut(local, attempt),
                    clock.instant().plus(setup.cancelGrace()));
        } finally {
            local.lock.unlock();
        }
        attempt.token.cancel(StopReason.TIMEOUT);
    }

    /** A timed-out attempt ignored its interrupt for the whole grace period: fail it without waiting. */
    private void abandonTimedOut(LocalBatch local, Attempt attempt) {
        local.lock.lock();
        try {
            if (attempt.abandoned || !local.attempts.remove(attempt)) {
                return;
            }
            attempt.abandoned = true;
            attempt.job.attempt = null;
        } finally {
            local.lock.unlock();
        }
        settlements.add(new Settlement.Abandoned(local, attempt.job, attempt.number, false));
    }

    // ---- cancellation ---------------------------------------------------------------------------

    /** A batch's cause was recorded (here or on another replica): stops its jobs on this replica. */
    void cancelled(UUID batchId) {
        recentCauses.add(batchId);
        LocalBatch local = batches.get(batchId);
        if (local != null) {
            local.cancel();
        }
    }

    // ---- settling -------------------------------------------------------------------------------

    /** Something to write about a job this replica holds. */
    private sealed interface Settlement {

        LocalBatch local();

        JobRun run();

        /** An attempt returned. */
        record Ended(LocalBatch local, JobRun run, int attempt, Outcome outcome) implements Settlement {}

        /** An attempt ignored cancellation (or, if {@code cancelled} is false, its timeout) past the grace period. */
        record Abandoned(LocalBatch local, JobRun run, int attempt, boolean cancelled) implements Settlement {}

        /** The batch was cancelled while the job waited out a retry backoff. */
        record RetryCancelled(LocalBatch local, JobRun run) implements Settlement {}

        /** A retry started: its attempt number is written. */
        record RetryStarted(LocalBatch local, JobRun run, int attempt) implements Settlement {}
    }

    private void settleLoop() {
        List<Settlement> group = new ArrayList<>();
        while (!stopped || !settlements.isEmpty()) {
            try {
                Settlement first = settlements.poll(setup.pollInterval().toNanos(), TimeUnit.NANOSECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
            } catch (InterruptedException e) {
                return;
            }
            settlements.drainTo(group);
            Map<LocalBatch, List<Settlement>> byBatch = new LinkedHashMap<>();
            group.forEach(s -> byBatch.computeIfAbsent(s.local(), b -> new ArrayList<>()).add(s));
            group.clear();
            byBatch.forEach((local, items) -> {
                try {
                    settle(local, items);
                } catch (RuntimeException e) {
                    log.warn("Writing {} job outcomes of batch {} failed; retrying", items.size(), local.id, e);
                    // Ahead of what came in meanwhile, in their order: a job's outcomes are written in order.
                    items.reversed().forEach(settlements::offerFirst);
                    pause();
                }
            });
        }
    }

    private void pause() {
        try {
            Thread.sleep(setup.pollInterval());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void settle(LocalBatch local, List<Settlement> items) {
        Instant now = clock.instant();
        List<Job> intended = new ArrayList<>(items.size());
        var settled = cluster.change(local.id, locked -> {
            var change = new BatchChange(locked, now);
            // As BatchRun does, one outcome after the other: a failure that records the cause means
            // the failures after it are not retried.
            Batch batch = change.batch();
            boolean causeAhead = batch.cancellation() != null;
            int failed = batch.counts().failed();
            for (Settlement item : items) {
                Job job = jobAfter(item, causeAhead, now);
                intended.add(job);
                if (job.state() == JobState.FAILED && batch.spec().causeAfterFailures(++failed) != null) {
                    causeAhead = true;
                }
            }
            Set<String> written = locked.updateOwnedJobs(intended, setup.node());
            change.ranJobsWritten(intended.stream().filter(job -> written.contains(job.id())).toList());
            if (change.freedSlotForPending()) {
                locked.announceWork();
            }
            return new Settled(change.commit(), written);
        });
        List<String> done = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Settlement item = items.get(i);
            Job job = intended.isEmpty() ? null : intended.get(i);
            if (job == null || settled.isEmpty() || !settled.get().written().contains(job.id())) {
                done.add(item.run().id()); // the batch was deleted, or a replica that took the job over settled it
                continue;
            }
            item.run().job = job;
            if (job.state().isTerminal()) {
                done.add(job.id());
            } else if (item instanceof Settlement.RetryStarted(var l, JobRun run, int attempt)) {
                busy.incrementAndGet();
                submit(local, run, attempt);
            } else {
                scheduleRetry(local, item.run(), now);
            }
        }
        if (settled.isPresent()) {
            BatchChange.Result result = settled.get().result();
            committed.accept(result);
            if (result.causeRecorded()) {
                cancelled(local.id);
            }
        }
        release(local, done);
    }

    private record Settled(BatchChange.Result result, Set<String> written) {}

    /** The job as {@code item} leaves it; {@code causeAhead}: the batch has a cause, or this write records one. */
    private static Job jobAfter(Settlement item, boolean causeAhead, Instant now) {
        Job job = item.run().job;
        return switch (item) {
            case Settlement.Ended(var l, var r, int attempt, Outcome outcome) -> switch (outcome) {
                case Outcome.Succeeded(JsonNode result) ->
                        new Job(job.spec(), JobState.SUCCEEDED, attempt, job.startedAt(), now, null, result, false);
                case Outcome.Stopped(StopReason reason) when reason == StopReason.TIMEOUT ->
                        failed(causeAhead, job, attempt, JobError.timeout(job.spec().timeout()), false, now);
                case Outcome.Stopped ignored ->
                        new Job(job.spec(), JobState.CANCELLED, attempt, job.startedAt(), now, null, null, false);
                case Outcome.Failed(JobError error) -> failed(causeAhead, job, attempt, error, false, now);
            };
            case Settlement.Abandoned(var l, var r, int attempt, boolean cancelled) -> cancelled
                    ? new Job(job.spec(), JobState.CANCELLED, attempt, job.startedAt(), now, null, null, true)
                    : failed(causeAhead, job, attempt, JobError.timeout(job.spec().timeout()), true, now);
            case Settlement.RetryCancelled ignored ->
                    new Job(job.spec(), JobState.CANCELLED, job.attempts(), job.startedAt(), now, job.error(), null, false);
            case Settlement.RetryStarted(var l, var r, int attempt) -> causeAhead
                    ? new Job(job.spec(), JobState.CANCELLED, job.attempts(), job.startedAt(), now, job.error(), null, false)
                    : new Job(job.spec(), JobState.RUNNING, attempt, job.startedAt(), null, job.error(), null, false);
        };
    }

    /** A failed attempt: RUNNING with its error if it will be retried, else FAILED. */
    private static Job failed(boolean causeAhead, Job job, int attempt, JobError error, boolean abandoned, Instant now) {
        var after = new Job(job.spec(), JobState.RUNNING, attempt, job.startedAt(), null, error, null, false);
        return !causeAhead && attempt < job.spec().retry().maxAttempts() ? after
                : new Job(job.spec(), JobState.FAILED, attempt, job.startedAt(), now, error, null, abandoned);
    }

    private void scheduleRetry(LocalBatch local, JobRun run, Instant now) {
        Duration backoff = run.job.spec().retry().backoffBefore(run.job.attempts() + 1);
        local.lock.lock();
        try {
            if (local.token.isCancelled()) {
                settlements.add(new Settlement.RetryCancelled(local, run));
                return;
            }
            local.waitingRetry.add(run);
            run.retryTimer = setup.scheduler().schedule(() -> retryDue(local, run), now.plus(backoff));
        } finally {
            local.lock.unlock();
        }
    }

    private void retryDue(LocalBatch local, JobRun run) {
        int number;
        local.lock.lock();
        try {
            if (!local.waitingRetry.remove(run)) {
                return; // cancelled meanwhile
            }
            run.retryTimer = null;
            number = run.job.attempts() + 1;
        } finally {
            local.lock.unlock();
        }
        // Started by the settler once written, if the batch still has no cause and the job is still ours.
        settlements.add(new Settlement.RetryStarted(local, run, number));
    }

    private void release(LocalBatch local, List<String> jobIds) {
        if (jobIds.isEmpty()) {
            return;
        }
        batches.computeIfPresent(local.id, (id, batch) -> {
            batch.jobIds.removeAll(jobIds);
            return batch.jobIds.isEmpty() ? null : batch;
        });
        if (batches.isEmpty()) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /** A batch this replica holds jobs of. */
    private final class LocalBatch {

        final UUID id;
        final CancellationSource token = new CancellationSource();
        final ReentrantLock lock = new ReentrantLock();
        /** Ids of the jobs held here; changed only inside the {@code batches} map's compute functions. */
        final Set<String> jobIds = ConcurrentHashMap.newKeySet();
        // Guarded by lock.
        final Set<Attempt> attempts = new HashSet<>();
        final Set<JobRun> waitingRetry = new HashSet<>();

        LocalBatch(UUID id) {
            this.id = id;
        }

        /** Interrupts the attempts, cancels the retries, and abandons stragglers after the grace period. */
        void cancel() {
            if (!token.cancel(StopReason.BATCH_CANCELLED)) {
                return;
            }
            lock.lock();
            try {
                for (JobRun run : waitingRetry) {
                    if (run.retryTimer != null) {
                        run.retryTimer.cancel(false);
                        run.retryTimer = null;
                    }
                    settlements.add(new Settlement.RetryCancelled(this, run));
                }
                waitingRetry.clear();
                setup.scheduler().schedule(this::abandonStragglers, clock.instant().plus(setup.cancelGrace()));
            } finally {
                lock.unlock();
            }
        }

        private void abandonStragglers() {
            List<Attempt> stragglers;
            lock.lock();
            try {
                stragglers = new ArrayList<>(attempts);
                attempts.clear();
                for (Attempt attempt : stragglers) {
                    attempt.abandoned = true;
                    attempt.cancelTimers();
                    attempt.job.attempt = null;
                }
            } finally {
                lock.unlock();
            }
            for (Attempt attempt : stragglers) {
                settlements.add(new Settlement.Abandoned(this, attempt.job, attempt.number, true));
            }
        }
    }
}
