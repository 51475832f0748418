package dev.failfast.engine.local;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchNotFoundException;
import dev.failfast.batch.BatchStateConflictException;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.Job;
import dev.failfast.engine.AttemptRunner;
import dev.failfast.engine.AttemptTimers;
import dev.failfast.engine.BatchEvents;
import dev.failfast.engine.BatchRunner;
import dev.failfast.engine.Deferrals;
import dev.failfast.engine.PendingJobs;
import dev.failfast.logging.LogText;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.BatchStore;
import dev.failfast.store.InstanceLease;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.TaskScheduler;

/**
 * The runner of a single instance: runs each batch in this process, its live state in
 * memory ({@link BatchRun}) and its changes written behind to the {@link BatchStore},
 * from which the API reads statuses and jobs. Used unless
 * {@code failfast.cluster.enabled}.
 *
 * <p>
 * On start it takes the database's {@link InstanceLease}, so no other instance runs on
 * the same store, then settles or resumes the batches a previous process left unfinished
 * (see {@link BatchRecovery}). On stop it lets running jobs finish for the drain timeout
 * (starting no new ones), then cancels every active batch with cause
 * {@link CauseType#SHUTDOWN}, waits (at most the cancel grace period and a little more)
 * until all of them are terminal, writes everything to the store, and only then releases
 * the lease.
 */
public final class LocalRunner implements BatchRunner {

    private static final Logger log = LoggerFactory.getLogger(LocalRunner.class);

    /**
     * How long shutdown tries to write the last changes if the database fails, and how
     * often.
     */
    private static final Duration FINAL_WRITE_RETRIES = Duration.ofSeconds(5);

    private static final Duration FINAL_WRITE_PAUSE = Duration.ofMillis(250);

    private final BatchStore store;

    private final InstanceLease lease;

    private final BatchRecovery recovery;

    private final Dispatcher dispatcher;

    private final RunContext context;

    private final Clock clock;

    /** Taken by each redrive, so two of the same batch never both run. */
    private final Object redrives = new Object();

    private final Map<UUID, BatchRun> active = new ConcurrentHashMap<>();

    private final CountedPendingJobs pending = new CountedPendingJobs();

    private final ReentrantLock lifecycle = new ReentrantLock();

    private final Condition allTerminal = lifecycle.newCondition();

    private boolean recovered;

    public LocalRunner(FailfastProperties properties, BatchStore store, InstanceLease lease, BatchEvents events,
            AttemptRunner runner, TaskExecutor executor, TaskScheduler scheduler, Clock clock) {
        this.store = store;
        this.lease = lease;
        this.clock = clock;
        var publisher = new BatchPublisher(store, events);
        this.recovery = new BatchRecovery(store, publisher, clock, properties.recovery().mode());
        var settings = properties.executor();
        this.dispatcher = new Dispatcher(executor, settings.dispatchCapacity(), settings.maxAbandoned(), runner, clock,
                tenant -> maxRunningJobs(properties, tenant));
        var timers = new AttemptTimers(scheduler, clock, properties.engine().cancelGrace());
        this.context = new RunContext(clock, timers, publisher, pending, dispatcher, this::terminated,
                Deferrals.of(properties));
    }

    /**
     * The tenant's {@code max-running-jobs}, {@link Integer#MAX_VALUE} if it has none.
     */
    private static int maxRunningJobs(FailfastProperties properties, String tenant) {
        Integer max = properties.tenants().of(tenant, properties.limits().maxPendingJobs()).maxRunningJobs();
        return max == null ? Integer.MAX_VALUE : max;
    }

    @Override
    public void register(Batch batch, List<Job> jobs, List<Object> parsedParams) {
        active.put(batch.id(), new BatchRun(context, batch, jobs, parsedParams));
    }

    @Override
    public void run(UUID batchId) {
        BatchRun run = active.get(batchId);
        if (run != null) { // else cancelled, and ended, before it ran
            start(run);
        }
    }

    @Override
    public void discard(UUID batchId) {
        active.remove(batchId);
    }

    private void start(BatchRun run) {
        Duration deadline = run.snapshot().spec().deadline();
        if (deadline != null) {
            run.scheduleDeadline(deadline);
        }
        dispatcher.offer(run);
    }

    /**
     * Runs the batch's next run here as a restart resumes a batch: from its jobs as
     * stored, their params parsed again at each attempt. Written to the store before it
     * starts and made durable right after, as a cancel's cause is: if the database fails
     * then, the run goes on and a later flush writes it.
     */
    @Override
    public void redrive(Batch from, Batch next, List<Job> jobs, List<Job> redriven) {
        UUID id = from.id();
        BatchRun run = new BatchRun(context, next, jobs, null);
        synchronized (redrives) {
            Batch stored = store.findBatch(id).orElseThrow(() -> new BatchNotFoundException(id));
            if (stored.run() != from.run() || !stored.state().isTerminal() || isRunning(id)) {
                throw new BatchStateConflictException(id, stored.state(),
                        "it was redriven meanwhile: run " + stored.run() + " was queued");
            }
            // In place of the run that ended, if it is not let go of yet.
            run.registerRedriven(() -> active.put(id, run), redriven, from.state());
        }
        start(run);
        store.flush(id);
    }

    @Override
    public Optional<CauseRecorded> recordCause(UUID batchId, CancellationCause cause) {
        BatchRun run = active.get(batchId);
        if (run != null) {
            boolean recorded = run.recordCause(cause);
            // The cause is durable before the client hears of it, whichever request
            // recorded it.
            store.flush(batchId);
            return Optional.of(new CauseRecorded(run.snapshot(), recorded));
        }
        // Not active here: ended, or never was. Its last changes may still be on their
        // way to the store.
        return store.findBatch(batchId).map(batch -> new CauseRecorded(batch, false));
    }

    /**
     * A run that ended is not running, though it is let go of just after its terminal
     * change was published: a client that saw the batch terminal may delete or redrive it
     * at once.
     */
    @Override
    public boolean isRunning(UUID batchId) {
        BatchRun run = active.get(batchId);
        return run != null && !run.snapshot().state().isTerminal();
    }

    @Override
    public PendingJobs pendingJobs() {
        return pending;
    }

    @Override
    public int activeBatches() {
        return active.size();
    }

    @Override
    public int attemptsInFlight() {
        return dispatcher.inFlight();
    }

    @Override
    public int abandonedThreads() {
        return dispatcher.abandonedThreads();
    }

    /**
     * Runs on a batch a previous process left unfinished, with its jobs as they were
     * stored.
     */
    private void resume(Batch batch, List<Job> jobs) {
        BatchRun run = new BatchRun(context, batch, jobs, null);
        pending.resumed(batch.owner().tenant(), batch.counts().pending());
        active.put(batch.id(), run);
        run.resumeInterrupted();
        start(run);
    }

    private void terminated(BatchRun run) {
        active.remove(run.id(), run); // not a redriven run that took its place
        Batch batch = run.snapshot();
        var cause = batch.cancellation();
        if (cause == null) {
            log.info("Batch {} {}: {}", batch.id(), batch.state(), batch.counts());
        }
        else {
            log.info("Batch {} {}: cause {} (job {}, {}), propagation {} ms, {}", batch.id(), batch.state(),
                    cause.cause(), LogText.of(cause.jobId()), LogText.of(cause.message()), cause.propagationMillis(),
                    batch.counts());
        }
        lifecycle.lock();
        try {
            allTerminal.signalAll();
        }
        finally {
            lifecycle.unlock();
        }
    }

    /**
     * Takes the instance lease (waiting for a crashed predecessor's to expire) and, on
     * the first start only, recovers what a previous process left unfinished.
     * @throws dev.failfast.store.InstanceLeaseHeldException when another live instance
     * uses the database
     */
    @Override
    public void start() {
        // Every start: stop() released the lease, and a runner started again must hold it
        // too.
        lease.acquire();
        if (!recovered) {
            try {
                recovery.recover(this::resume);
            }
            catch (RuntimeException e) {
                lease.release();
                throw e;
            }
            recovered = true;
        }
        dispatcher.resume();
    }

    @Override
    public void stop(Duration drainTimeout) {
        boolean written = false;
        try {
            drain(drainTimeout);
            cancelAllAndWait();
            written = writeEverything();
        }
        finally {
            if (written) {
                lease.release();
            }
            else {
                // A successor that took the lease now would recover batches whose end is
                // not stored.
                log.error("Changes could not be written to the database at shutdown; the instance lease is kept until "
                        + "it expires, and they are lost unless the database comes back first");
            }
        }
    }

    /**
     * Flushes the store, again for a few seconds if the database fails; true once nothing
     * is left unwritten.
     */
    private boolean writeEverything() {
        Instant giveUp = clock.instant().plus(FINAL_WRITE_RETRIES);
        store.flush();
        while (store.holdsUnwritten() && clock.instant().isBefore(giveUp)) {
            try {
                Thread.sleep(FINAL_WRITE_PAUSE);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            store.flush();
        }
        return !store.holdsUnwritten();
    }

    /**
     * Lets the jobs that run finish, for at most the drain timeout; starts no new ones.
     */
    private void drain(Duration drainTimeout) {
        if (active.isEmpty()) {
            return;
        }
        log.info("Shutting down: {} batches active, {} attempts running; draining for at most {}", active.size(),
                dispatcher.inFlight(), drainTimeout);
        try {
            if (!dispatcher.pauseAndAwaitIdle(drainTimeout)) {
                log.info("Drain timeout: {} attempts still running are cancelled", dispatcher.inFlight());
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void cancelAllAndWait() {
        for (BatchRun run : List.copyOf(active.values())) {
            run.recordCause(
                    CancellationCause.of(CauseType.SHUTDOWN, "The service is shutting down", null, clock.instant()));
        }
        // Stragglers are abandoned after the grace period; the margin covers the timer's
        // own delay.
        Instant giveUp = clock.instant().plus(context.timers().cancelGrace()).plusSeconds(2);
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
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        finally {
            lifecycle.unlock();
        }
    }

}
