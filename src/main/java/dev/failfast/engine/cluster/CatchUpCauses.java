package dev.failfast.engine.cluster;

import dev.failfast.store.ClusterStore;
import java.time.Instant;

/** Stops the jobs held here of batches whose cause notice this replica missed. */
final class CatchUpCauses implements PollTask {

    private final ClusterStore cluster;

    private final HeldBatches held;

    private final HeldAttempts attempts;

    CatchUpCauses(ClusterStore cluster, HeldBatches held, HeldAttempts attempts) {
        this.cluster = cluster;
        this.held = held;
        this.attempts = attempts;
    }

    @Override
    public void run(Instant now) {
        cluster.withCause(held.ids()).forEach(id -> attempts.causeRecorded(id, HeldBatches.ANY_RUN));
    }

}
