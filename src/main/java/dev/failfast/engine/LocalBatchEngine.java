package dev.failfast.engine;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchNotFoundException;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.BatchStateConflictException;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobCounts;
import dev.failfast.config.FailfastProperties;
import dev.failfast.job.JobHandlers;
import dev.failfast.store.BatchStore;
import dev.failfast.store.IdempotencyKey;
import dev.failfast.store.InstanceLease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Service;
import tools.jackson.databind.json.JsonMapper;

/**
 * The engine of a single instance: runs each batch in this process, its live state in memory
 * ({@link BatchRun}) and its changes written behind to the {@link BatchStore}, from which the API
 * reads statuses and jobs. Used unless {@code failfast.cluster.enabled}.
 *
 * <p>On startup it takes the database's {@link InstanceLease}, so no other instance runs on the same
 * store, then settles or resumes the batches a previous process left unfinished (see
 * {@link BatchRecovery}) before it accepts batches. On shutdown it stops accepting batches and
 * reports readiness REFUSING_TRAFFIC first, lets running jobs finish for the drain timeout
 * (starting no new ones), then cancels every active batch with cause {@link CauseType#SHUTDOWN},
 * waits (at most the cancel grace period and a little more) until all of them are terminal, and
 * flushes the store, so nothing is left half-written, and releases the lease.
 */
@Service
@ConditionalOnProperty(name = "failfast.cluster.enabled", havingValue = "false", matchIfMissing = true)
public class LocalBatchEngine implements BatchEngine, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(LocalBatchEngine.class);

    private final BatchStore store;
    private final InstanceLease lease;
    private final BatchPublisher publisher;
    private final BatchValidator validator;
    private final Dispatcher dispatcher;
    private final RunContext context;
    private final Clock clock;
    private final FailfastProperties.Limits limits;
    private final BatchRecovery recovery;
    private final Duration drainTimeout;
    private final ApplicationEventPublisher events;
    private final TimeBasedEpochGenerator ids = Generators.timeBasedEpochGenerator();
    private final Map<UUID, BatchRun> active = new ConcurrentHashMap<>();
    private final AtomicLong pendingJobs = new AtomicLong();
    private final AtomicLong admissionRejections = new AtomicLong();
    private final ReentrantLock lifecycle = new ReentrantLock();
    private final Condition allTerminal = lifecycle.newCondition();
    private volatile boolean running;
    private boolean recovered;

    LocalBatchEngine(
            FailfastProperties properties,
            BatchStore store,
            InstanceLease lease,
            BatchPublisher publisher,
            JobHandlers handlers,
            JsonMapper jsonMapper,
            @Qualifier("failfastJobExecutor") TaskExecutor executor,
            @Qualifier("failfastTimerScheduler") TaskScheduler scheduler,
            Clock clock,
            ApplicationEventPublisher events) {
        this.store = store;
        this.lease = lease;
        this.events = events;
        this.recovery = new BatchRecovery(store, publisher, clock, properties.recovery().mode());
        this.drainTimeout = properties.shutdown().drainTimeout();
        this.publisher = publisher;
        this.clock = clock;
        this.limits = properties.limits();
        this.validator = new BatchValidator(handlers, limits.maxJobsPerBatch());
        var runner = new AttemptRunner(handlers, jsonMapper, limits.maxResultSize().toBytes());
        this.dispatcher = new Dispatcher(executor, properties.executor().dispatchCapacity(), runner);
        this.context = new RunContext(clock, scheduler, properties.engine().cancelGrace(), publisher, pendingJobs,
                dispatcher::offer, this::terminated);
    }

    @Override
    public Batch submit(BatchSpec spec) {
        return start(spec, null);
    }

    @Override
    public Submission submit(BatchSpec spec, IdempotencyKey key) {
        return IdempotentSubmission.submit(store, key, () -> start(spec, key));
    }

    private Batch start(BatchSpec spec, @Nullable IdempotencyKey key) {
        if (!running) {
            throw shuttingDown();
        }
        List<Object> parsedParams = validator.validate(spec);
        admit(spec.jobs().size());
        Batch batch;
        BatchRun run;
        try {
            batch = new Batch(ids.generate(), spec, BatchState.QUEUED, clock.instant(), null, null,
                    JobCounts.allPending(spec.jobs().size()), null);
            List<Job> jobs = spec.jobs().stream().map(Job::pending).toList();
            publisher.created(batch, jobs, key);
            run = new BatchRun(context, batch, jobs, parsedParams);
        } catch (RuntimeException e) {
            pendingJobs.addAndGet(-spec.jobs().size());
            throw e;
        }
        active.put(batch.id(), run);
        if (!running) {
            // stop() began after the check above and may have missed this batch. None of its jobs
            // has started: end it, forget it (and its idempotency key), and refuse it like the others.
            cancelForShutdown(run);
            store.delete(batch.id());
            throw shuttingDown();
        }
        log.info("Batch {} submitted: {} jobs, policy {}, parallelism {}", batch.id(), spec.jobs().size(),
                spec.failurePolicy(), spec.maxParallelism());
        Duration deadline = spec.deadline();
        if (deadline != null) {
            run.scheduleDeadline(deadline);
        }
        dispatcher.offer(run);
        return batch;
    }

    private static EngineUnavailableException shuttingDown() {
        return new EngineUnavailableException("The service is shutting down and accepts no new batches");
    }

    private static void cancelForShutdown(BatchRun run) {
        run.cancel(CauseType.SHUTDOWN, "The service is shutting down", null);
    }

    private void admit(int jobs) {
        long max = limits.maxPendingJobs();
        long current;
        do {
            current = pendingJobs.get();
            if (current + jobs > max) {
                admissionRejections.incrementAndGet();
                throw new AdmissionRejectedException("%d jobs are waiting to run; %d more would exceed the limit of %d"
                        .formatted(current, jobs, max), limits.retryAfter());
            }
        } while (!pendingJobs.compareAndSet(current, current + jobs));
    }

    @Override
    public Batch cancel(UUID id, @Nullable String reason) {
        BatchRun run = active.get(id);
        if (run != null && (run.cancel(CauseType.USER_REQUESTED, "Cancelled by a client", reason) || !run.isTerminal())) {
            return run.snapshot();
        }
        Batch batch = find(id);
        if (!batch.state().isTerminal()) {
            return batch; // ended just now; its last changes are on their way to the store
        }
        throw new BatchStateConflictException(id, batch.state(), "a finished batch cannot be cancelled");
    }

    @Override
    public Batch find(UUID id) {
        return store.findBatch(id).orElseThrow(() -> new BatchNotFoundException(id));
    }

    @Override
    public void delete(UUID id) {
        Batch batch = find(id);
        if (!batch.state().isTerminal() || active.containsKey(id)) {
            throw new BatchStateConflictException(id, batch.state(), "cancel it and wait until it is terminal first");
        }
        if (!store.delete(id)) {
            throw new BatchNotFoundException(id);
        }
    }

    @Override
    public int activeBatches() {
        return active.size();
    }

    @Override
    public long pendingJobs() {
        return pendingJobs.get();
    }

    @Override
    public int attemptsInFlight() {
        return dispatcher.inFlight();
    }

    @Override
    public long admissionRejections() {
        return admissionRejections.get();
    }

    @Override
    public boolean isAccepting() {
        return running;
    }

    /** Runs on a batch a previous process left unfinished, with its jobs as they were stored. */
    private void resume(Batch batch, List<Job> jobs) {
        BatchRun run = new BatchRun(context, batch, jobs, null);
        pendingJobs.addAndGet(batch.counts().pending());
        active.put(batch.id(), run);
        run.resumeInterrupted(BatchRecovery.INTERRUPTED_ERROR);
        Duration deadline = batch.spec().deadline();
        if (deadline != null) {
            run.scheduleDeadline(deadline);
        }
        dispatcher.offer(run);
    }

    private void terminated(BatchRun run) {
        active.remove(run.id());
        Batch batch = run.snapshot();
        var cause = batch.cancellation();
        if (cause == null) {
            log.info("Batch {} {}: {}", batch.id(), batch.state(), batch.counts());
        } else {
            log.info("Batch {} {}: cause {} (job {}, {}), propagation {} ms, {}", batch.id(), batch.state(),
                    cause.cause(), cause.jobId(), cause.message(), cause.propagationMillis(), batch.counts());
        }
        lifecycle.lock();
        try {
            allTerminal.signalAll();
        } finally {
            lifecycle.unlock();
        }
    }

    /**
     * Takes the instance lease (waiting for a crashed predecessor's to expire), recovers what a
     * previous process left unfinished, on the first start only, then accepts batches. Like
     * {@link #stop()}, called by one thread at a time (the application context's).
     *
     * @throws dev.failfast.store.InstanceLeaseHeldException when another live instance uses the database
     */
    @Override
    public void start() {
        if (running) {
            return;
        }
        // Every start: stop() released the lease, and an engine started again must hold it too.
        lease.acquire();
        if (recovered) {
            // Started again after stop(), which told Boot to refuse traffic.
            AvailabilityChangeEvent.publish(events, this, ReadinessState.ACCEPTING_TRAFFIC);
        } else {
            try {
                recovery.recover(this::resume);
            } catch (RuntimeException e) {
                lease.release();
                throw e;
            }
            recovered = true;
        }
        dispatcher.resume();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        AvailabilityChangeEvent.publish(events, this, ReadinessState.REFUSING_TRAFFIC);
        try {
            drain();
            cancelAllAndWait();
            store.flush();
        } finally {
            lease.release();
        }
    }

    /** Lets the jobs that run finish, for at most the drain timeout; starts no new ones. */
    private void drain() {
        if (active.isEmpty()) {
            return;
        }
        log.info("Shutting down: {} batches active, {} attempts running; draining for at most {}", active.size(),
                dispatcher.inFlight(), drainTimeout);
        try {
            if (!dispatcher.pauseAndAwaitIdle(drainTimeout)) {
                log.info("Drain timeout: {} attempts still running are cancelled", dispatcher.inFlight());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void cancelAllAndWait() {
        for (BatchRun run : List.copyOf(active.values())) {
            cancelForShutdown(run);
        }
        // Stragglers are abandoned after the grace period; the margin covers the timer's own delay.
        Instant giveUp = clock.instant().plus(context.cancelGrace()).plusSeconds(2);
        lifecycle.lock();
        try {
            while (!active.isEmpty()) {
                long waitNanos = Duration.between(clock.instant(), giveUp).toNanos();
                if (waitNanos <= 0) {
                    log.warn("{} batches still active at shutdown: {}", active.size(), active.keySet());
                    return;
                }
                allTerminal.await(waitNanos, TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lifecycle.unlock();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Stops before the web server's graceful shutdown, so event streams end and requests finish. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }
}
