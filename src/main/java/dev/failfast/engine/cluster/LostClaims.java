package dev.failfast.engine.cluster;

import dev.failfast.store.ClusterStore.JobKey;
import java.util.HashSet;
import java.util.Set;

/**
 * Finds jobs the database says this replica runs but the replica does not hold: a claim
 * whose commit succeeded while its reply was lost (the connection broke). Such a job
 * would stay RUNNING for as long as the replica lives. A job counts as lost once two
 * polls in a row found it so, which leaves out the instants between a claim's commit and
 * the replica taking the jobs, and between an outcome's commit and the replica letting
 * the job go.
 */
final class LostClaims {

    private Set<JobKey> missingBefore = Set.of();

    /**
     * @param owned the RUNNING jobs the database says this replica owns, read first
     * @param held the jobs the replica holds, read after
     * @return the jobs missing from {@code held} at this poll and at the one before
     */
    synchronized Set<JobKey> lost(Set<JobKey> owned, Set<JobKey> held) {
        Set<JobKey> missing = new HashSet<>(owned);
        missing.removeAll(held);
        Set<JobKey> lost = new HashSet<>(missing);
        lost.retainAll(missingBefore);
        missingBefore = missing;
        return lost;
    }

}
