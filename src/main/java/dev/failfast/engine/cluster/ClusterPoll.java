package dev.failfast.engine.cluster;

import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster poll: runs its tasks one after the other, each on its own; one that fails
 * (the database is slow or gone) is logged and the others still run.
 */
final class ClusterPoll implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ClusterPoll.class);

    private final Clock clock;

    private final List<PollTask> tasks;

    ClusterPoll(Clock clock, List<PollTask> tasks) {
        this.clock = clock;
        this.tasks = List.copyOf(tasks);
    }

    @Override
    public void run() {
        for (PollTask task : tasks) {
            try {
                task.run(clock.instant());
            }
            catch (RuntimeException e) {
                log.warn("Cluster poll task {} failed; it runs again at the next poll", task.getClass().getSimpleName(),
                        e);
            }
        }
    }

}
