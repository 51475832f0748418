package dev.failfast.worker;

import dev.failfast.batch.Caller;
import dev.failfast.job.CancellationToken;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * The registry that pairs remote attempts with the workers that run them: the engine's
 * handlers offer attempts and wait; workers register, claim, heartbeat and report. Every
 * worker-facing method takes the caller's tenant: a worker of another tenant is, to it, a
 * worker that does not exist.
 *
 * <p>
 * Leases: a worker is lost when it has neither heartbeated nor claimed for
 * {@code failfast.workers.lease-ttl}; each attempt it held then ends with
 * {@link AttemptReport.Lost}, and its listeners hear {@link WorkerListener#lost()}.
 */
public interface RemoteAttempts {

    /**
     * Offers an attempt to the workers of its tenant that serve its name.
     * @param token the attempt's token: an offer whose token is cancelled is never
     * claimed (a cancel's withdrawal may come a moment after the cause)
     */
    OfferedAttempt offer(RemoteOffer offer, CancellationToken token);

    /** How long after the cancel grace period an abandoned attempt's thread is held. */
    Duration ABANDON_MARGIN = Duration.ofSeconds(1);

    /**
     * Registers a worker.
     * @throws TooManyWorkersException when the tenant has
     * {@code failfast.workers.max-workers-per-tenant} already
     */
    WorkerSession register(Caller caller, @Nullable String name, SortedSet<String> names, int capacity);

    /** The tenant's worker {@code id}, if it is live. */
    Optional<WorkerSession> find(String tenant, UUID id);

    /** The tenant's live workers, oldest first. */
    List<WorkerSession> list(String tenant);

    /**
     * Stops a worker: it claims nothing more, and each attempt it holds ends at once with
     * {@link AttemptReport.Lost}.
     * @throws UnknownWorkerException when the tenant has no such live worker
     */
    void remove(String tenant, UUID id);

    /**
     * Claims up to {@code max} waiting attempts for a worker, at most its free capacity,
     * oldest offer first; waits up to {@code wait} for one when none is waiting (less
     * when the service stops). Renews the worker's lease.
     * @return the claimed attempts; empty when none came within {@code wait}
     * @throws UnknownWorkerException when the tenant has no such live worker
     */
    List<HeldAttempt> claim(String tenant, UUID id, int max, Duration wait) throws InterruptedException;

    /**
     * Renews a worker's lease and records progress of the attempts it holds.
     * @param progress by attempt id; progress of attempts it does not hold is answered as
     * {@link Heartbeat#unknown()}
     * @param holding when given, every attempt the worker knows it holds: one the
     * registry has it hold but it does not name, claimed longer than
     * {@code failfast.workers.lease-ttl} ago, was lost on its way (a claim answer that
     * never arrived) and is offered again (or, if it was cancelled, ends as stopped);
     * named attempts it does not hold are answered as {@link Heartbeat#unknown()}
     * @throws UnknownWorkerException when the tenant has no such live worker
     */
    Heartbeat heartbeat(String tenant, UUID id, Map<UUID, JsonNode> progress, @Nullable Set<UUID> holding);

    /**
     * Stops a worker claiming: a claim waiting now answers at once, and later ones answer
     * with nothing, so that it can finish what it holds and stop without a claim answer
     * lost on the way.
     * @throws UnknownWorkerException when the tenant has no such live worker
     */
    void drain(String tenant, UUID id);

    /**
     * The error type of a report that gives an attempt back: the worker stopped it (it is
     * stopping) though the service did not cancel it.
     */
    String GIVEN_BACK = "CANCELLED";

    /**
     * How many times one attempt may be given back; the next give-back is a failure like
     * any other, so a worker that gives everything back cannot keep a job waiting
     * forever.
     */
    int MAX_GIVE_BACKS = 3;

    /**
     * Whether a report gives its attempt back ({@link #GIVEN_BACK}): on an attempt the
     * service did not cancel, it is offered again, to any worker, instead of failing.
     */
    static boolean givesBack(AttemptReport report) {
        return report instanceof AttemptReport.Failed failed && failed.errorType().equals(GIVEN_BACK);
    }

    /**
     * Ends an attempt the worker holds with its report. A report on a cancelled attempt
     * is accepted: it tells the engine the worker stopped. A report that
     * {@linkplain #givesBack gives back} an attempt the service did not cancel offers it
     * again, up to {@link #MAX_GIVE_BACKS} times.
     * @throws UnknownWorkerException when the tenant has no such live worker
     * @throws AttemptNotHeldException when the worker does not hold the attempt (never
     * did, lost it, reported it already, or the engine gave up on it)
     */
    void report(String tenant, UUID id, UUID attemptId, AttemptReport report);

    /**
     * Subscribes to what worker {@code id} must hear at once. A subscriber is told, at
     * once, of every attempt of the worker that is cancelled already, so a stream that
     * reconnects misses nothing.
     * @throws UnknownWorkerException when the tenant has no such live worker
     */
    CancellationToken.Registration listen(String tenant, UUID id, WorkerListener listener);

    /** Live workers over all tenants (in cluster mode, over the cluster). */
    int liveWorkers();

    /** Attempts waiting for a worker, by job type name (in this process). */
    Map<String, Integer> waitingByName();

}
