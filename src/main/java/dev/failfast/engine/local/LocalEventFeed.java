package dev.failfast.engine.local;

import dev.failfast.batch.BatchEvent;
import dev.failfast.engine.BatchEventFeed;
import dev.failfast.engine.BatchEventListener;
import dev.failfast.engine.EventPosition;
import dev.failfast.engine.FeedEvent;
import dev.failfast.engine.FeedListener;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.BatchStore;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;

/**
 * A single instance's feed: every change is published to every listener as it is made,
 * and this feed numbers each event (one counter over all batches, so a batch's events are
 * numbered in the order they happened) and hands it to the event streams. For each
 * followed batch it keeps the last {@code failfast.streams.replay-events} events, and
 * still {@code replay-window} after its last stream closed, so a stream that reconnects
 * is sent exactly the events it missed.
 *
 * <p>
 * Positions carry a random name of this process: a position from an earlier process (the
 * service restarted) cannot be replayed, whatever its number.
 */
public final class LocalEventFeed implements BatchEventFeed, BatchEventListener {

    private final String origin = processName();

    private final AtomicLong counter = new AtomicLong();

    private final BatchStore store;

    private final ObjectProvider<FeedListener> listenerBeans;

    private volatile @Nullable List<FeedListener> listeners;

    private final Clock clock;

    private final int capacity;

    private final Duration window;

    /** Most logs kept for batches no stream follows now: {@code max-open}. */
    private final int maxUnfollowed;

    private final Map<UUID, BatchEventLog> logs = new ConcurrentHashMap<>();

    public LocalEventFeed(BatchStore store, ObjectProvider<FeedListener> listeners, FailfastProperties properties,
            Clock clock) {
        this.store = store;
        this.listenerBeans = listeners;
        this.clock = clock;
        this.capacity = properties.streams().replayEvents();
        this.window = properties.streams().replayWindow();
        this.maxUnfollowed = properties.streams().maxOpen();
    }

    @Override
    public void onEvent(BatchEvent event) {
        // Numbered first, then looked up: a log created after the number was taken starts
        // after it (see follow).
        var published = new FeedEvent(event, new EventPosition(origin, counter.incrementAndGet(), 0));
        BatchEventLog log = logs.get(event.batch().id());
        if (log != null) {
            log.append(published);
        }
        for (FeedListener listener : listeners()) {
            listener.onFeedEvent(published);
        }
    }

    @Override
    public void follow(UUID batchId) {
        Instant now = clock.instant();
        sweep(now);
        var created = new boolean[1];
        BatchEventLog log = logs.compute(batchId, (id, existing) -> {
            BatchEventLog followed = existing;
            if (followed == null) {
                followed = new BatchEventLog(capacity);
                created[0] = true;
            }
            followed.followed();
            return followed;
        });
        if (created[0]) {
            // Every event numbered after this reaches the log, which is in the map now.
            log.keepsFrom(counter.get());
        }
    }

    /**
     * Drops the logs no stream came back for in time, and beyond {@link #maxUnfollowed}
     * the oldest of those waiting for one: streams that open and close in a loop do not
     * pile up logs.
     */
    private void sweep(Instant now) {
        List<UUID> waiting = new ArrayList<>();
        logs.keySet().forEach(id -> logs.computeIfPresent(id, (key, log) -> {
            if (log.expired(now)) {
                return null;
            }
            if (log.waitingSince() != null) {
                waiting.add(key);
            }
            return log;
        }));
        if (waiting.size() > maxUnfollowed) {
            waiting.sort(Comparator.comparing(id -> {
                BatchEventLog log = logs.get(id);
                Instant since = log == null ? null : log.waitingSince();
                return since == null ? Instant.MAX : since;
            }));
            for (UUID id : waiting.subList(0, waiting.size() - maxUnfollowed)) {
                logs.computeIfPresent(id, (key, log) -> log.waitingSince() != null ? null : log);
            }
        }
    }

    @Override
    public void unfollow(UUID batchId) {
        Instant now = clock.instant();
        logs.computeIfPresent(batchId, (id, log) -> {
            log.unfollowed(now, now.plus(window));
            return log;
        });
    }

    @Override
    public Optional<Snapshot> current(UUID batchId) {
        // Read before the batch, so the batch shows at least every event up to it.
        var position = new EventPosition(origin, counter.get(), 0);
        return store.findBatch(batchId).map(batch -> new Snapshot(batch, position));
    }

    @Override
    public Optional<List<FeedEvent>> since(UUID batchId, EventPosition after) {
        BatchEventLog log = logs.get(batchId);
        if (log == null || !after.origin().equals(origin) || after.major() > counter.get()) {
            return Optional.empty();
        }
        return log.after(after.major());
    }

    /** Batches whose events are kept now, for tests. */
    int keptLogs() {
        return logs.size();
    }

    private List<FeedListener> listeners() {
        List<FeedListener> resolved = listeners;
        if (resolved == null) {
            // Resolved at the first event: the streams, which follow batches through this
            // feed, are its listeners.
            resolved = listenerBeans.orderedStream().toList();
            listeners = resolved;
        }
        return resolved;
    }

    /** Eight random base-36 characters: unlikely to repeat across restarts. */
    private static String processName() {
        var random = new SecureRandom();
        var name = new StringBuilder("p");
        for (int i = 0; i < 8; i++) {
            name.append(Character.forDigit(random.nextInt(36), 36));
        }
        return name.toString();
    }

}
