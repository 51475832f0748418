package dev.failfast.engine.cluster;

import dev.failfast.logging.LogText;
import dev.failfast.store.ClusterStore;
import dev.failfast.store.ClusterStore.JobKey;
import java.time.Instant;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts back jobs claimed by this replica whose claim it never learned of: claimed again,
 * by any replica.
 */
final class PutBackLostClaims implements PollTask {

    private static final Logger log = LoggerFactory.getLogger(PutBackLostClaims.class);

    private final String node;

    private final ClusterStore cluster;

    private final HeldBatches held;

    private final Consumer<BatchTransaction.Result> committed;

    private final LostClaims lostClaims = new LostClaims();

    PutBackLostClaims(String node, ClusterStore cluster, HeldBatches held,
            Consumer<BatchTransaction.Result> committed) {
        this.node = node;
        this.cluster = cluster;
        this.held = held;
        this.committed = committed;
    }

    @Override
    public void run(Instant now) {
        Set<JobKey> owned = Set.copyOf(cluster.runningJobsOwnedBy(node));
        Set<JobKey> lost = lostClaims.lost(owned, held.jobKeys());
        lost.stream()
            .collect(Collectors.groupingBy(JobKey::batchId, Collectors.mapping(JobKey::jobId, Collectors.toList())))
            .forEach((batchId, jobIds) -> cluster.change(batchId, locked -> {
                var transaction = new BatchTransaction(locked, now);
                transaction.claimsLost(jobIds, node);
                return transaction.commit();
            }).ifPresent(result -> {
                log.warn("Batch {}: {} jobs claimed here that this replica never learned of are pending again: {}",
                        batchId, jobIds.size(), LogText.of(jobIds));
                committed.accept(result);
            }));
    }

}
