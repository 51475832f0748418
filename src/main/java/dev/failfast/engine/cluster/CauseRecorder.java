package dev.failfast.engine.cluster;

import dev.failfast.batch.CancellationCause;
import dev.failfast.store.ClusterStore;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Records a batch's cause in a transaction holding its row lock, so the first cause wins
 * over the cluster; the same transaction skips the pending jobs and tells every replica.
 * This replica's attempts of the batch stop at once.
 */
final class CauseRecorder {

    private final ClusterStore cluster;

    private final HeldAttempts attempts;

    private final Consumer<BatchTransaction.Result> committed;

    CauseRecorder(ClusterStore cluster, HeldAttempts attempts, Consumer<BatchTransaction.Result> committed) {
        this.cluster = cluster;
        this.attempts = attempts;
        this.committed = committed;
    }

    /** Empty if there is no such batch. */
    Optional<BatchTransaction.Result> record(UUID batchId, CancellationCause cause) {
        var result = cluster.change(batchId, locked -> {
            var transaction = new BatchTransaction(locked, cause.requestedAt());
            transaction.recordCause(cause);
            return transaction.commit();
        });
        result.ifPresent(r -> {
            committed.accept(r);
            if (r.causeRecorded()) {
                attempts.causeRecorded(batchId, r.batch().run());
            }
        });
        return result;
    }

}
