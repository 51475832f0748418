package dev.failfast.store;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Checked first in every write transaction of a {@link JdbcBatchStore}, on that
 * transaction's connection: the write commits only while this process holds the database.
 * A process that lost its instance lease (paused past the ttl, say, while a successor
 * took over and settled its batches) must never overwrite what its successor wrote.
 *
 * <p>
 * {@link JdbcInstanceLease#fence()} reads the lease row with a shared lock, which a
 * successor taking the lease over must wait for: a write either commits before the
 * takeover, and the successor's recovery reads it, or finds the lease gone and is
 * refused.
 */
@FunctionalInterface
public interface WriteFence {

    /**
     * No fence: the database is this process's alone (embedded H2, which one process
     * opens), or it is shared by cluster replicas, which fence their job writes by owner
     * themselves.
     */
    WriteFence NONE = database -> {
    };

    /**
     * Runs first in a write transaction.
     * @param database runs its queries in that transaction
     * @throws WriteFencedException when this process no longer holds the database:
     * nothing is written
     */
    void check(JdbcClient database);

}
