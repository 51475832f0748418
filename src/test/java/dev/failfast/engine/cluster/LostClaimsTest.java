package dev.failfast.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.store.ClusterStore.JobKey;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A job counts as a lost claim only when two polls in a row find it owned here but not
 * held.
 */
class LostClaimsTest {

    private static final UUID BATCH = UUID.randomUUID();

    private static final JobKey A = new JobKey(BATCH, "a");

    private static final JobKey B = new JobKey(BATCH, "b");

    private final LostClaims claims = new LostClaims();

    @Test
    void aJobMissingAtTwoPollsInARowIsLost() {
        assertThat(claims.lost(Set.of(A, B), Set.of(B))).as("first poll: maybe a claim being taken").isEmpty();
        assertThat(claims.lost(Set.of(A, B), Set.of(B))).containsExactly(A);
    }

    @Test
    void aJobTheReplicaTookByTheNextPollIsNotLost() {
        claims.lost(Set.of(A), Set.of());

        assertThat(claims.lost(Set.of(A), Set.of(A))).isEmpty();
        assertThat(claims.lost(Set.of(A), Set.of())).as("missing again: counting starts over").isEmpty();
    }

    @Test
    void aJobSettledBetweenTheTwoReadsIsNotLost() {
        // Owned when the database was read, let go by the time the replica's jobs were
        // read; gone after.
        claims.lost(Set.of(A), Set.of());

        assertThat(claims.lost(Set.of(), Set.of())).isEmpty();
    }

}
