package dev.failfast.engine.cluster;

import dev.failfast.batch.Batch;
import dev.failfast.batch.CancellationCause;
import dev.failfast.store.ClusterStore;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;

/**
 * Records cause DEADLINE_EXCEEDED on the batches whose deadline passed, whichever replica
 * accepted them.
 */
final class FireDeadlines implements PollTask {

    private static final Logger log = LoggerFactory.getLogger(FireDeadlines.class);

    private final ClusterStore cluster;

    private final CauseRecorder causes;

    FireDeadlines(ClusterStore cluster, CauseRecorder causes) {
        this.cluster = cluster;
        this.causes = causes;
    }

    @Override
    public void run(Instant now) {
        for (Batch batch : cluster.activeWithDeadline()) {
            Instant deadlineAt = batch.deadlineAt();
            Duration deadline = batch.spec().deadline();
            if (deadlineAt != null && deadline != null && !deadlineAt.isAfter(now)) {
                try {
                    causes.record(batch.id(), CancellationCause.deadlineExceeded(deadline, now));
                }
                catch (DataAccessException e) {
                    log.warn("Recording the deadline of batch {} failed; the next poll tries again", batch.id(), e);
                }
            }
        }
    }

}
