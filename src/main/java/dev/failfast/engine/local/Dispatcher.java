package dev.failfast.engine.local;

import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.engine.Attempt;
import dev.failfast.engine.AttemptRunner;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToIntFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;
import org.springframework.core.task.TaskExecutor;
import org.springframework.core.task.TaskRejectedException;

/**
 * Hands jobs to the executor, fairly across tenants first and then across each tenant's
 * batches, and never more at once than the executor has room for. Every job that is not
 * yet handed over stays with its batch, where cancellation skips it; a large batch
 * therefore cannot fill the executor's queue ahead of a small one submitted after it.
 *
 * <p>
 * Each free place goes to the tenant with the fewest attempts in flight among those with
 * a job ready and below their {@code max-running-jobs}; of tenants with as many, to the
 * one served least recently. Fewest-first rather than plain turns: a tenant that just
 * arrived gets every place that frees up until it has as many as the others, so its 5-job
 * batch starts within the next 5 places however much another tenant has queued (with
 * turns it would get every other place). Within the tenant its batches with a job ready
 * take turns in round-robin order, so one tenant's many batches share its places as all
 * batches did before tenants. The scan over tenants costs O(tenants with a job ready) per
 * hand-over.
 *
 * <p>
 * An attempt that is abandoned (it ignored its cancellation) keeps its thread but stops
 * counting as work in flight: the executor has {@code maxAbandoned} threads beyond the
 * pool for such threads, so stuck jobs do not stop the other batches. Past that bound,
 * each further stuck thread takes one place from the work in flight, so the executor's
 * queue never overflows.
 *
 * <p>
 * Lock order: the dispatcher's lock may be held while a batch's lock is taken, never the
 * reverse.
 */
final class Dispatcher {

    /** One attempt handed to the executor, until its thread returns. */
    static final class Handover {

        private final TenantQueue tenant;

        // Guarded by the dispatcher's lock.
        private boolean abandoned;

        private boolean returned;

        private Handover(TenantQueue tenant) {
            this.tenant = tenant;
        }

    }

    /**
     * A tenant's batches that may have a job to start, and its attempts in flight.
     * Guarded by the dispatcher's lock; kept while it has either.
     */
    private static final class TenantQueue {

        private final String name;

        private final int maxInFlight;

        private final LinkedHashSet<BatchRun> ready = new LinkedHashSet<>();

        private int inFlight;

        /** When it was last handed a job, in hand-overs: lower is longer ago. */
        private long lastServed;

        private TenantQueue(String name, int maxInFlight) {
            this.name = name;
            this.maxInFlight = maxInFlight;
        }

        private boolean mayStart() {
            return !ready.isEmpty() && inFlight < maxInFlight;
        }

        private boolean isIdle() {
            return ready.isEmpty() && inFlight == 0;
        }

        private boolean goesBefore(TenantQueue other) {
            return inFlight != other.inFlight ? inFlight < other.inFlight : lastServed < other.lastServed;
        }

    }

    private final TaskExecutor executor;

    private final int capacity;

    private final int maxAbandoned;

    private final AttemptRunner runner;

    private final Clock clock;

    private final ToIntFunction<String> maxRunningOfTenant;

    private final ReentrantLock lock = new ReentrantLock();

    private final Condition idle = lock.newCondition();

    // Guarded by lock.
    private final Map<String, TenantQueue> tenants = new HashMap<>();

    private int inFlight;

    private long handovers;

    private int abandonedThreads;

    private boolean paused;

    /**
     * @param capacity attempts the executor takes at once (its threads for live work and
     * its queue)
     * @param maxAbandoned threads the executor has beyond {@code capacity} for abandoned
     * attempts
     * @param maxRunningOfTenant the most attempts of a tenant in flight at once
     * ({@link Integer#MAX_VALUE} for no limit but the pool's)
     */
    Dispatcher(TaskExecutor executor, int capacity, int maxAbandoned, AttemptRunner runner, Clock clock,
            ToIntFunction<String> maxRunningOfTenant) {
        this.executor = executor;
        this.capacity = capacity;
        this.maxAbandoned = maxAbandoned;
        this.runner = runner;
        this.clock = clock;
        this.maxRunningOfTenant = maxRunningOfTenant;
    }

    /** The batch may have a job to start. */
    void offer(BatchRun run) {
        lock.lock();
        try {
            ready(run);
            pump();
        }
        finally {
            lock.unlock();
        }
    }

    /** Attempts handed to the executor and not yet ended (abandoned ones not counted). */
    int inFlight() {
        lock.lock();
        try {
            return inFlight;
        }
        finally {
            lock.unlock();
        }
    }

    /** Threads still running an abandoned attempt. */
    int abandonedThreads() {
        lock.lock();
        try {
            return abandonedThreads;
        }
        finally {
            lock.unlock();
        }
    }

    /** An attempt was abandoned: its thread no longer counts as work in flight. */
    void abandoned(Handover handover) {
        lock.lock();
        try {
            if (handover.abandoned || handover.returned) {
                return; // its thread returned while the batch told of the abandonment:
                        // nothing is stuck
            }
            handover.abandoned = true;
            inFlight--;
            ended(handover.tenant);
            abandonedThreads++;
            signalIfIdle();
            pump();
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Hands over no further attempts (for a shutdown drain) and waits until every attempt
     * handed over has ended or the timeout passed. Returns true if none is left in
     * flight.
     */
    boolean pauseAndAwaitIdle(Duration timeout) throws InterruptedException {
        lock.lock();
        try {
            paused = true;
            long nanos = timeout.toNanos();
            while (inFlight > 0) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = idle.awaitNanos(nanos);
            }
            return true;
        }
        finally {
            lock.unlock();
        }
    }

    /**
     * Hands over attempts again after {@link #pauseAndAwaitIdle}, when a stopped engine
     * starts again.
     */
    void resume() {
        lock.lock();
        try {
            paused = false;
            pump();
        }
        finally {
            lock.unlock();
        }
    }

    private void pump() {
        int room = capacity - Math.max(0, abandonedThreads - maxAbandoned);
        while (!paused && inFlight < room) {
            TenantQueue tenant = nextTenant();
            if (tenant == null) {
                return;
            }
            BatchRun run = tenant.ready.removeFirst();
            LocalJob job = run.reserveNext();
            if (job == null) {
                // The batch is offered again when one of its jobs ends or a retry is due.
                forgetIfIdle(tenant);
                continue;
            }
            inFlight++;
            tenant.inFlight++;
            tenant.lastServed = ++handovers;
            if (run.hasDispatchable()) {
                tenant.ready.addLast(run);
            }
            hand(run, tenant, job);
        }
    }

    /**
     * The tenant whose turn it is: of those that may start a job, the one with the fewest
     * in flight, then the one served least recently.
     */
    private @Nullable TenantQueue nextTenant() {
        TenantQueue next = null;
        for (TenantQueue tenant : tenants.values()) {
            if (tenant.mayStart() && (next == null || tenant.goesBefore(next))) {
                next = tenant;
            }
        }
        return next;
    }

    private void ready(BatchRun run) {
        tenants.computeIfAbsent(run.tenant(), name -> new TenantQueue(name, maxRunningOfTenant.applyAsInt(name))).ready
            .add(run);
    }

    /** One of the tenant's attempts stopped counting as in flight. */
    private void ended(TenantQueue tenant) {
        tenant.inFlight--;
        forgetIfIdle(tenant);
    }

    private void forgetIfIdle(TenantQueue tenant) {
        if (tenant.isIdle()) {
            tenants.remove(tenant.name, tenant);
        }
    }

    private void hand(BatchRun run, TenantQueue tenant, LocalJob job) {
        String batchId = run.id().toString();
        Handover handover = new Handover(tenant);
        job.handover = handover;
        try {
            executor.execute(() -> {
                try (var _ = MDC.putCloseable("batchId", batchId); var _ = MDC.putCloseable("jobId", job.id())) {
                    Attempt attempt = run.startAttempt(job, Thread.currentThread());
                    if (attempt != null) {
                        runner.run(run.id(), run.tenant(), attempt,
                                outcome -> run.finishAttempt(job, attempt, outcome));
                    }
                }
                finally {
                    threadReturned(run, handover);
                }
            });
        }
        catch (TaskRejectedException e) {
            // Only a shut-down executor rejects: the queue is sized to hold every attempt
            // in flight.
            inFlight--;
            ended(tenant);
            signalIfIdle();
            run.recordCause(
                    CancellationCause.of(CauseType.SHUTDOWN, "Job executor is shut down", null, clock.instant()));
        }
    }

    private void threadReturned(BatchRun run, Handover handover) {
        lock.lock();
        try {
            handover.returned = true;
            ready(run); // first: the tenant's queue stays, with how recently it was
                        // served
            if (handover.abandoned) {
                abandonedThreads--;
            }
            else {
                inFlight--;
                ended(handover.tenant);
                signalIfIdle();
            }
            pump();
        }
        finally {
            lock.unlock();
        }
    }

    private void signalIfIdle() {
        if (inFlight == 0) {
            idle.signalAll();
        }
    }

}
