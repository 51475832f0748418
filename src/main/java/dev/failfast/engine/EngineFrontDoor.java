package dev.failfast.engine;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchNotFoundException;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchStateConflictException;
import dev.failfast.batch.Caller;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.Job;
import dev.failfast.job.JobHandlers;
import dev.failfast.logging.LogText;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.BatchStore;
import dev.failfast.store.IdempotencyKey;
import dev.failfast.store.WriteFencedException;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;

/**
 * The one front door of both engines: validates and admits a batch, builds it, stores it
 * (once per idempotency key), tells the listeners, and hands it to the
 * {@link BatchRunner} of the mode the service runs in; admits and plans redrives as it
 * admits batches; guards cancel and delete; and reports readiness as the service starts
 * and stops.
 *
 * <p>
 * Shutdown first closes the door, waiting for submissions in progress (a batch is either
 * refused or handed to the runner before the runner drains), then lets the runner drain
 * and leave.
 */
public final class EngineFrontDoor implements BatchEngine, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(EngineFrontDoor.class);

    /** Who cancelled or deleted which batch: the same audit log as API key changes. */
    private static final Logger audit = LoggerFactory.getLogger("dev.failfast.audit");

    private final BatchStore store;

    private final BatchRunner runner;

    private final BatchEvents events;

    private final BatchValidator validator;

    private final Clock clock;

    private final FailfastProperties.Limits limits;

    private final Duration drainTimeout;

    private final int maxAbandoned;

    private final ApplicationEventPublisher applicationEvents;

    private final TimeBasedEpochGenerator ids = Generators.timeBasedEpochGenerator();

    private final TenantQuotas quotas;

    private final Map<AdmissionLimit, AtomicLong> admissionRejections = new EnumMap<>(AdmissionLimit.class);

    /**
     * Submissions hold it shared while they run; closing the door takes it exclusively.
     */
    private final ReentrantReadWriteLock door = new ReentrantReadWriteLock();

    /**
     * Held while a redrive is stored and while a delete checks and deletes, so that a
     * delete never removes a batch under a run a redrive of this process just queued. (A
     * redrive on another replica, between a delete's check and its DELETE, is not
     * excluded.)
     */
    private final Object redriveOrDelete = new Object();

    private volatile boolean accepting;

    private boolean startedOnce;

    public EngineFrontDoor(FailfastProperties properties, BatchStore store, BatchRunner runner, BatchEvents events,
            JobHandlers handlers, Clock clock, ApplicationEventPublisher applicationEvents) {
        this.store = store;
        this.runner = runner;
        this.events = events;
        this.clock = clock;
        this.limits = properties.limits();
        this.drainTimeout = properties.shutdown().drainTimeout();
        this.maxAbandoned = properties.executor().maxAbandoned();
        this.applicationEvents = applicationEvents;
        this.validator = new BatchValidator(handlers, limits);
        this.quotas = new TenantQuotas(properties, clock);
        for (AdmissionLimit limit : AdmissionLimit.values()) {
            admissionRejections.put(limit, new AtomicLong());
        }
    }

    @Override
    public Batch submit(Caller caller, BatchSpec spec) {
        return start(caller, spec, null);
    }

    @Override
    public Submission submit(Caller caller, BatchSpec spec, IdempotencyKey key) {
        return IdempotentSubmission.submit(store, caller.tenant(), key, () -> start(caller, spec, key));
    }

    private Batch start(Caller caller, BatchSpec spec, @Nullable IdempotencyKey key) {
        if (!accepting) {
            throw shuttingDown();
        }
        List<Object> parsedParams = validator.validate(spec, caller.tenant());
        door.readLock().lock();
        try {
            if (!accepting) {
                throw shuttingDown(); // the door closed while the batch was validated
            }
            int size = spec.jobs().size();
            String tenant = caller.tenant();
            admit(tenant, size);
            Batch batch = Batch.queued(ids.generate(), caller.owner(), spec, clock.instant());
            List<Job> jobs = spec.jobs().stream().map(Job::pending).toList();
            runner.register(batch, jobs, parsedParams);
            try {
                store.create(batch, jobs, key);
            }
            catch (RuntimeException e) {
                runner.discard(batch.id());
                unadmit(tenant, size);
                throw e;
            }
            events.submitted(batch);
            log.info("Batch {} submitted: {} jobs, policy {}, parallelism {}, tenant {}, by {}", batch.id(), size,
                    spec.failurePolicy(), spec.maxParallelism(), LogText.of(caller.tenant()),
                    LogText.of(caller.principal()));
            runner.run(batch.id());
            return batch;
        }
        finally {
            door.readLock().unlock();
        }
    }

    private static EngineUnavailableException shuttingDown() {
        return new EngineUnavailableException("The service is shutting down and accepts no new batches");
    }

    /**
     * Admits a batch of {@code jobs} jobs of {@code tenant}, counting it against every
     * limit, or refuses it whole, counting it against none: threads stuck in abandoned
     * attempts, active batches, the tenant's batches per minute, then pending jobs (the
     * tenant's, then all).
     */
    private void admit(String tenant, int jobs) {
        if (isSaturatedByAbandonedThreads()) {
            throw rejected(new AdmissionRejectedException(("%d job threads are stuck in attempts abandoned because "
                    + "they ignored their cancellation, the most failfast.executor.max-abandoned allows: no batch is "
                    + "accepted until they return")
                .formatted(runner.abandonedThreads()), limits.retryAfter(), AdmissionLimit.ABANDONED_THREADS, null));
        }
        int active = runner.activeBatches();
        if (active >= limits.maxActiveBatches()) {
            throw rejected(new AdmissionRejectedException(
                    "%d batches are active, the most failfast.limits.max-active-batches allows: a new batch is accepted "
                        .formatted(active) + "once one ends",
                    limits.retryAfter(), AdmissionLimit.ACTIVE_BATCHES, null));
        }
        try {
            quotas.takeBatchToken(tenant);
        }
        catch (AdmissionRejectedException e) {
            throw rejected(e);
        }
        long tenantMax = quotas.limits(tenant).maxPendingJobs();
        PendingJobs.Excess excess = runner.pendingJobs().tryAdd(tenant, jobs, limits.maxPendingJobs(), tenantMax);
        if (excess != null) {
            quotas.giveBackBatchToken(tenant);
            boolean tenantLimit = excess.limit() == AdmissionLimit.TENANT_PENDING_JOBS;
            String message = tenantLimit
                    ? "Tenant %s has %d jobs waiting to run; %d more would exceed its limit of %d".formatted(tenant,
                            excess.pending(), jobs, excess.max())
                    : "%d jobs are waiting to run; %d more would exceed the limit of %d".formatted(excess.pending(),
                            jobs, excess.max());
            throw rejected(new AdmissionRejectedException(message, limits.retryAfter(), excess.limit(),
                    tenantLimit ? tenant : null));
        }
    }

    /**
     * Takes back what {@link #admit} counted for {@code jobs} jobs of {@code tenant} that
     * were not stored after all.
     */
    private void unadmit(String tenant, int jobs) {
        runner.pendingJobs().remove(tenant, jobs);
        quotas.giveBackBatchToken(tenant);
    }

    /** Filled with every limit in the constructor, never changed after. */
    private AtomicLong rejections(AdmissionLimit limit) {
        return Objects.requireNonNull(admissionRejections.get(limit));
    }

    private AdmissionRejectedException rejected(AdmissionRejectedException e) {
        rejections(e.limit()).incrementAndGet();
        return e;
    }

    @Override
    public Batch cancel(Caller caller, UUID id, @Nullable String reason) {
        find(caller, id);
        var cause = CancellationCause.userRequested(reason, caller.principal(), clock.instant());
        BatchRunner.CauseRecorded result;
        try {
            result = runner.recordCause(id, cause).orElseThrow(() -> new BatchNotFoundException(id));
        }
        catch (DataAccessException | TransactionException | WriteFencedException e) {
            log.warn("The cancellation of batch {} could not be stored", id, e);
            throw new EngineUnavailableException("The cancellation could not be stored: the database is unavailable. "
                    + "Send the cancel again: its 202 comes once the cancellation is stored");
        }
        Batch batch = result.batch();
        if (result.recorded()) {
            audit.info("Batch {} of tenant {} cancelled by {}", id, LogText.of(batch.owner().tenant()),
                    LogText.of(caller.principal()));
        }
        if (!result.recorded() && batch.state().isTerminal()) {
            throw new BatchStateConflictException(id, batch.state(), "a finished batch cannot be cancelled");
        }
        return batch;
    }

    @Override
    public Submission redrive(Caller caller, UUID id, RedriveSelection selection, @Nullable IdempotencyKey key) {
        if (!accepting) {
            throw shuttingDown();
        }
        Batch batch = find(caller, id);
        Batch earlier = redrivenWith(batch, key);
        if (earlier != null) {
            return new Submission(earlier, false);
        }
        if (!batch.state().isTerminal() || runner.isRunning(id)) {
            return racedRedrive(caller, id, key, new BatchStateConflictException(id, batch.state(),
                    "only a terminal batch is redriven; wait until it is terminal"));
        }
        if (batch.pastRuns().size() >= limits.maxRedrives()) {
            throw new BatchStateConflictException(id, batch.state(),
                    "it was redriven %d times, the most failfast.limits.max-redrives allows"
                        .formatted(batch.pastRuns().size()));
        }
        if (selection.jobIds() == null && !RedrivePlan.mayTakeAJob(batch, selection)) {
            throw RedrivePlan.nothingToRedrive(batch, selection);
        }
        List<Job> jobs = store.findAllJobs(id);
        door.readLock().lock();
        try {
            if (!accepting) {
                throw shuttingDown();
            }
            RedrivePlan plan;
            try {
                plan = RedrivePlan.of(batch, jobs, selection, clock.instant(), caller.principal(), key);
            }
            catch (InvalidBatchException e) {
                // The jobs were read after the batch: a redrive that came in between
                // moved
                // them, and this one lost the race rather than named the wrong jobs.
                Batch now = settledAfterRedrives(caller, id);
                if (now.run() == batch.run()) {
                    throw e;
                }
                return racedRedrive(caller, id, key, new BatchStateConflictException(id, now.state(),
                        "another redrive started run " + now.run() + " meanwhile"));
            }
            String tenant = batch.owner().tenant();
            int size = plan.redriven().size();
            admit(tenant, size);
            try {
                synchronized (redriveOrDelete) {
                    runner.redrive(batch, plan.batch(), plan.jobs(), plan.redriven());
                }
            }
            catch (BatchStateConflictException e) {
                // Another redrive came first: nothing of this one was stored or started.
                unadmit(tenant, size);
                return racedRedrive(caller, id, key, e);
            }
            catch (DataAccessException | TransactionException | WriteFencedException e) {
                // In cluster mode nothing was stored. On a single instance the run is
                // queued and runs, its jobs taking their reservation as they start, and a
                // later flush writes it: a retry with the key answers with the batch.
                log.warn("The redrive of batch {} could not be stored", id, e);
                throw new EngineUnavailableException("The redrive could not be stored: the database is unavailable. "
                        + "Send it again with the same Idempotency-Key, and it runs once");
            }
            audit.info("Batch {} of tenant {} redriven by {}: run {}, {} jobs", id, LogText.of(tenant),
                    LogText.of(caller.principal()), plan.batch().run(), size);
            return new Submission(plan.batch(), true);
        }
        finally {
            door.readLock().unlock();
        }
    }

    /**
     * A redrive that found the batch taken by another: that one's batch if it had the
     * same key (a retry answered with what it created), else the conflict.
     */
    private Submission racedRedrive(Caller caller, UUID id, @Nullable IdempotencyKey key,
            BatchStateConflictException conflict) {
        Batch raced = redrivenWith(settledAfterRedrives(caller, id), key);
        if (raced == null) {
            throw conflict;
        }
        return new Submission(raced, false);
    }

    /**
     * The batch as stored once no redrive is being stored: a redrive holds
     * {@code redriveOrDelete} until its run is in the store, so one that raced it sees
     * that run, not the batch of a moment before.
     */
    private Batch settledAfterRedrives(Caller caller, UUID id) {
        synchronized (redriveOrDelete) {
            return find(caller, id);
        }
    }

    /**
     * The batch, if a redrive sent with this key (and the same request) ran it; null
     * without a key, or if no redrive was sent with it.
     * @throws IdempotencyKeyReusedException when the key redrove it with another request
     */
    private static @Nullable Batch redrivenWith(Batch batch, @Nullable IdempotencyKey key) {
        if (key == null) {
            return null;
        }
        return batch.redriveKeyed(key.key()).map(redrive -> {
            if (!key.requestFingerprint().equals(redrive.requestFingerprint())) {
                throw IdempotencyKeyReusedException.ofRedrive(key.key(), batch.id());
            }
            return batch;
        }).orElse(null);
    }

    @Override
    public Batch find(Caller caller, UUID id) {
        return store.findBatch(id).filter(caller::sees).orElseThrow(() -> new BatchNotFoundException(id));
    }

    @Override
    public void delete(Caller caller, UUID id) {
        Batch batch;
        synchronized (redriveOrDelete) {
            batch = find(caller, id);
            if (!batch.state().isTerminal() || runner.isRunning(id)) {
                throw new BatchStateConflictException(id, batch.state(),
                        "cancel it and wait until it is terminal first");
            }
            if (!store.delete(id)) {
                throw new BatchNotFoundException(id);
            }
        }
        audit.info("Batch {} of tenant {} deleted by {}", id, LogText.of(batch.owner().tenant()),
                LogText.of(caller.principal()));
    }

    @Override
    public int activeBatches() {
        return runner.activeBatches();
    }

    @Override
    public long pendingJobs() {
        return runner.pendingJobs().count();
    }

    @Override
    public int attemptsInFlight() {
        return runner.attemptsInFlight();
    }

    @Override
    public long admissionRejections(AdmissionLimit limit) {
        return rejections(limit).get();
    }

    @Override
    public boolean isAccepting() {
        return accepting;
    }

    @Override
    public int abandonedThreads() {
        return runner.abandonedThreads();
    }

    @Override
    public boolean isSaturatedByAbandonedThreads() {
        return runner.abandonedThreads() >= maxAbandoned;
    }

    @Override
    public long listenerReconnects() {
        return runner.listenerReconnects();
    }

    /**
     * Starts the runner (its lease, its recovery), then opens the door. Like
     * {@link #stop()}, called by one thread at a time (the application context's).
     * @throws dev.failfast.store.InstanceLeaseHeldException when another instance holds
     * the database
     */
    @Override
    public void start() {
        if (accepting) {
            return;
        }
        runner.start();
        if (startedOnce) {
            // Started again after stop(), which told Boot to refuse traffic.
            AvailabilityChangeEvent.publish(applicationEvents, this, ReadinessState.ACCEPTING_TRAFFIC);
        }
        startedOnce = true;
        accepting = true;
    }

    @Override
    public void stop() {
        door.writeLock().lock();
        try {
            accepting = false;
        }
        finally {
            door.writeLock().unlock();
        }
        AvailabilityChangeEvent.publish(applicationEvents, this, ReadinessState.REFUSING_TRAFFIC);
        runner.stop(drainTimeout);
    }

    @Override
    public boolean isRunning() {
        return accepting;
    }

    /**
     * Stops before the web server's graceful shutdown, so event streams end and requests
     * finish.
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE;
    }

}
