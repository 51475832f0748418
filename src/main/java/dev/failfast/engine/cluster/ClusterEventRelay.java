package dev.failfast.engine.cluster;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchEvent;
import dev.failfast.batch.BatchState;
import dev.failfast.engine.BatchEventFeed;
import dev.failfast.engine.EventPosition;
import dev.failfast.engine.FeedEvent;
import dev.failfast.engine.FeedListener;
import dev.failfast.engine.PollingThread;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.ClusterStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * to the {@link FeedListener}s (the event streams). One query per followed batch and
 * poll, however many streams follow it; a poll that finds the batch's version unchanged
 * reads no job.
 *
 * <p>
 * An event's position is the batch's version that made the change and the job's place in
 * the batch (a batch event comes after the jobs of its version), as the database keeps
 * them: the same on every replica, so a stream that reconnects to another replica is
 * sent, from the database, every job changed since its last event (up to
 * {@code failfast.streams.replay-events} of them; beyond, a {@code reset} and the batch's
 * status).
 */
public final class ClusterEventRelay implements BatchEventFeed, SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(ClusterEventRelay.class);

    /** What the streams of one batch have been sent up to. */
    private static final class Followed {

        int streams;

        long version;

        @Nullable BatchState state;

    }

    /** The origin of the positions of events read from the database. */
    static final String ORIGIN = "c";

    private final ClusterStore cluster;

    private final ObjectProvider<FeedListener> listenerBeans;

    /**
     * Resolved at start: the event streams, which follow batches through this relay, are
     * its listeners.
     */
    private volatile List<FeedListener> listeners = List.of();

    private final Duration interval;

    /**
     * Most jobs a resuming stream is sent from the database
     * ({@code failfast.streams.replay-events}); more gets a {@code reset} instead.
     */
    private final int maxReplayed;

    private final Map<UUID, Followed> followed = new ConcurrentHashMap<>();

    /** Runs {@link #poll()}. */
    private volatile @Nullable Thread poller;

    public ClusterEventRelay(ClusterStore cluster, ObjectProvider<FeedListener> listeners,
            FailfastProperties properties) {
        this.cluster = cluster;
        this.listenerBeans = listeners;
        this.interval = properties.cluster().eventPollInterval();
        this.maxReplayed = properties.streams().replayEvents();
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
        List<FeedEvent> events = jobEvents(changes);
        if (previous != now) {
            events.add(batchEvent(changes, previous == null ? now : previous));
        }
        for (FeedEvent event : events) {
            for (FeedListener listener : listeners) {
                try {
                    listener.onFeedEvent(event);
                }
                catch (RuntimeException e) {
                    log.warn("Event listener {} failed on an event of batch {}", listener, id, e);
                }
            }
        }
        batch.version = changes.version();
        batch.state = changes.batch().state();
    }

    @Override
    public Optional<Snapshot> current(UUID batchId) {
        return cluster.versioned(batchId)
            .map(row -> new Snapshot(row.batch(), batchPosition(row.batch(), row.version())));
    }

    /**
     * Every job changed after the position, in its state now, then the batch's status:
     * whatever replica sent the events before it. Empty (the stream sends a {@code reset}
     * and the status) when more than {@code replay-events} jobs changed since: a resume
     * from an old position (such as {@code c.0.0}) of a large batch would otherwise read
     * every job on the request thread.
     */
    @Override
    public Optional<List<FeedEvent>> since(UUID batchId, EventPosition after) {
        if (!after.origin().equals(ORIGIN)) {
            return Optional.empty();
        }
        var changes = cluster
            .changesAfter(batchId, after.major(), (int) Math.min(after.minor(), Integer.MAX_VALUE), maxReplayed)
            .orElse(null);
        if (changes == null || changes.version() < after.major() || after.minor() > changes.batch().counts().total()) {
            return Optional.empty(); // not a position of this batch
        }
        if (changes.more()) {
            return Optional.empty(); // too much to replay: a reset and the status
        }
        List<FeedEvent> events = jobEvents(changes);
        if (!events.isEmpty() || changes.version() > after.major()) {
            events.add(batchEvent(changes, changes.batch().state()));
        }
        return Optional.of(List.copyOf(events));
    }

    private static List<FeedEvent> jobEvents(ClusterStore.Changes changes) {
        List<FeedEvent> events = new ArrayList<>(changes.changed().size() + 1);
        for (ClusterStore.ChangedJob changed : changes.changed()) {
            events.add(new FeedEvent(new BatchEvent.JobChanged(changes.batch(), changed.job()),
                    new EventPosition(ORIGIN, changed.version(), changed.seq())));
        }
        return events;
    }

    private static FeedEvent batchEvent(ClusterStore.Changes changes, BatchState previous) {
        return new FeedEvent(new BatchEvent.BatchChanged(changes.batch(), previous),
                batchPosition(changes.batch(), changes.version()));
    }

    /** After every job of the version: a job's place is below the number of jobs. */
    private static EventPosition batchPosition(Batch batch, long version) {
        return new EventPosition(ORIGIN, version, batch.counts().total());
    }

    @Override
    public void start() {
        listeners = listenerBeans.orderedStream().toList();
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
