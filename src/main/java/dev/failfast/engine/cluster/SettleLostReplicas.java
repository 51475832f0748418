package dev.failfast.engine.cluster;

import dev.failfast.settings.FailfastProperties.RecoveryMode;
import dev.failfast.store.ClusterStore;
import java.time.Instant;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles the RUNNING jobs of replicas whose lease expired, by
 * {@code failfast.recovery.mode} (see {@link BatchTransaction#ownerLost}), then forgets
 * those replicas.
 */
final class SettleLostReplicas implements PollTask {

    private static final Logger log = LoggerFactory.getLogger(SettleLostReplicas.class);

    private final ClusterStore cluster;

    private final RecoveryMode mode;

    private final Consumer<BatchTransaction.Result> committed;

    SettleLostReplicas(ClusterStore cluster, RecoveryMode mode, Consumer<BatchTransaction.Result> committed) {
        this.cluster = cluster;
        this.mode = mode;
        this.committed = committed;
    }

    @Override
    public void run(Instant now) {
        for (String node : cluster.lostOwners(now)) {
            for (UUID batchId : cluster.batchesRunningOn(node)) {
                cluster.change(batchId, locked -> {
                    var transaction = new BatchTransaction(locked, now);
                    transaction.ownerLost(node, mode);
                    return transaction.commit();
                }).ifPresent(result -> {
                    log.warn("Replica {} stopped renewing its lease: its jobs of batch {} settled ({}), {}", node,
                            batchId, mode, result.batch().counts());
                    committed.accept(result);
                });
            }
        }
        cluster.deleteExpiredNodes(now);
    }

}
