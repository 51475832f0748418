package dev.failfast.engine;

import java.util.Objects;

/**
 * Where an event stands among its batch's events, so that a stream that reconnects after
 * it is sent what came later. The positions of one {@code origin} are ordered by
 * {@code major}, then {@code minor}; positions of different origins are not comparable.
 *
 * <p>
 * A single instance numbers every event it publishes, over all batches, in one counter
 * that starts again with each process; its origin is a random name of the process, so a
 * position from an earlier process is recognised as such. In cluster mode a position is
 * the batch's {@code version} in the database and the job's place in the batch, the same
 * on every replica.
 *
 * @param origin who numbered the event: one single-instance process, or the cluster's
 * database
 * @param major a single instance's event number; in cluster mode the batch's version
 * @param minor in cluster mode the job's place in its batch (from 0), or the batch's
 * number of jobs for a batch event, which comes after the jobs of its version; 0 on a
 * single instance
 */
public record EventPosition(String origin, long major, long minor) {

    public EventPosition {
        Objects.requireNonNull(origin, "origin");
    }

    /** Whether this position comes after {@code other}, of the same origin. */
    public boolean isAfter(EventPosition other) {
        return origin.equals(other.origin) && (major > other.major || (major == other.major && minor > other.minor));
    }

}
