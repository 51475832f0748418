package dev.failfast.engine.cluster;

import dev.failfast.batch.BatchState;
import dev.failfast.engine.BatchEventFeed;
import dev.failfast.engine.BatchEventListener;
import dev.failfast.engine.BatchEvents;
import dev.failfast.engine.PollingThread;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.ClusterStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;

/**
 * Cluster mode: reads the changes of followed batches back from the database, whichever
 * replica made them, every {@code failfast.cluster.event-poll-interval}, and hands them
 * to the listeners that follow the whole cluster (the event streams). One query per
 * followed batch and poll, however many streams follow it; a poll that finds the batch's
 * version unchanged reads no job.
 */
public final class ClusterEventRelay implements BatchEventFeed, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClusterEventRelay.class);

    /** What the streams of one batch have been sent up to. */
    private static final class Followed {

        int streams;

        long version;

        @Nullable BatchState state;

    }

    private final ClusterStore cluster;

    private final ObjectProvider<BatchEventListener> allListeners;

    /**
     * Resolved at start: the event streams, which follow batches through this relay, are
     * listeners too.
     */
    private volatile BatchEvents events = new BatchEvents(List.of());

    private final Duration interval;

    private final Map<UUID, Followed> followed = new ConcurrentHashMap<>();

    /** Runs {@link #poll()}. */
    private volatile @Nullable Thread poller;

    public ClusterEventRelay(ClusterStore cluster, ObjectProvider<BatchEventListener> listeners,
            FailfastProperties properties) {
        this.cluster = cluster;
        this.allListeners = listeners;
        this.interval = properties.cluster().eventPollInterval();
    }

    @Override
    public void follow(UUID batchId) {
        followed.compute(batchId, (id, existing) -> {
            Followed batch = existing;
            if (batch == null) {
                batch = new Followed();
                batch.version = cluster.version(id).orElse(0L);
            }
            batch.streams++;
            return batch;
        });
    }

    @Override
    public void unfollow(UUID batchId) {
        followed.computeIfPresent(batchId, (id, batch) -> --batch.streams > 0 ? batch : null);
    }

    /** Sends each followed batch's changes since the last poll. */
    void poll() {
        for (UUID id : List.copyOf(followed.keySet())) {
            Followed batch = followed.get(id);
            if (batch == null) {
                continue;
            }
            try {
                relay(id, batch);
            }
            catch (RuntimeException e) {
                log.warn("Reading the changes of batch {} for its event streams failed; trying again", id, e);
            }
        }
    }

    private void relay(UUID id, Followed batch) {
        var changes = cluster.changesSince(id, batch.version).orElse(null);
        if (changes == null || changes.version() == batch.version) {
            return;
        }
        BatchState previous = batch.state;
        BatchState now = changes.batch().state();
        events.changed(changes.batch(), changes.jobs(), previous == now ? null : previous == null ? now : previous);
        batch.version = changes.version();
        batch.state = changes.batch().state();
    }

    @Override
    public void start() {
        events = new BatchEvents(allListeners.orderedStream().filter(BatchEventListener::followsWholeCluster).toList());
        poller = PollingThread.start("failfast-event-relay", interval, this::poll);
    }

    @Override
    public void stop() {
        Thread running = poller;
        if (running != null) {
            running.interrupt();
        }
        poller = null;
    }

    @Override
    public boolean isRunning() {
        return poller != null;
    }

}
