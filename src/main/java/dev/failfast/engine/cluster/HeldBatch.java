package dev.failfast.engine.cluster;

import dev.failfast.engine.Attempt;
import dev.failfast.engine.CancellationSource;
import dev.failfast.engine.JobRun;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A batch this replica holds jobs of: its token here, which a cause recorded anywhere in
 * the cluster cancels, the attempts running here and the retries waiting here.
 */
final class HeldBatch {

    final UUID id;

    /** The batch's run these jobs belong to: a redrive's are held apart. */
    final int run;

    /** The tenant the batch belongs to, whose settings its jobs run with. */
    final String tenant;

    final CancellationSource token = new CancellationSource();

    final ReentrantLock lock = new ReentrantLock();

    /**
     * Whether the batch has a cause in the database, read once for jobs starting
     * together.
     */
    final SharedRead causeRead = new SharedRead();

    /**
     * Ids of the jobs held here; changed only inside {@link HeldBatches}' compute
     * functions.
     */
    final Set<String> jobIds = ConcurrentHashMap.newKeySet();

    // Guarded by lock.
    final Map<Attempt, WorkerThreads.Slot> attempts = new HashMap<>();

    final Set<JobRun> waitingRetry = new HashSet<>();

    HeldBatch(UUID id, int run, String tenant) {
        this.id = id;
        this.run = run;
        this.tenant = tenant;
    }

}
