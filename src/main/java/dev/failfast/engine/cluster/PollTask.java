package dev.failfast.engine.cluster;

import java.time.Instant;

/**
 * One duty of the cluster poll, run every {@code failfast.cluster.poll-interval} on every
 * replica.
 */
interface PollTask {

    void run(Instant now);

}
