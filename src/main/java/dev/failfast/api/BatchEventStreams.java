package dev.failfast.api;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchEvent;
import dev.failfast.batch.BatchNotFoundException;
import dev.failfast.batch.Caller;
import dev.failfast.engine.BatchEventFeed;
import dev.failfast.engine.BatchEventFeed.Snapshot;
import dev.failfast.engine.EventPosition;
import dev.failfast.engine.FeedEvent;
import dev.failfast.engine.FeedListener;
import dev.failfast.engine.LimitExceededException;
import dev.failfast.job.JobHandlers;
import dev.failfast.settings.FailfastProperties;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Server-sent event streams of batches. The feed only drops each event into every
 * subscriber's bounded queue; one virtual thread per subscriber writes them, so a slow or
 * stalled client never holds up the engine or other clients. Each event is turned into
 * JSON once, by the first subscriber to send it, whatever the number of subscribers. A
 * subscriber that falls more than {@value #QUEUE_CAPACITY} events behind gets a
 * {@code lagged} event followed by the batch's current status, and goes on from there.
 *
 * <p>
 * Every event carries its position in the batch's events as its id ({@link EventIds}). A
 * stream opened with {@code Last-Event-ID} is sent the events after it, or, when the feed
 * can no longer tell them, a {@code reset} event and the batch's status. A stream takes a
 * {@link StreamSlots slot} while it is open, and ends after
 * {@code failfast.streams.max-lifetime} with a {@code reconnect} event.
 */
@Component
class BatchEventStreams implements FeedListener {

    static final int QUEUE_CAPACITY = 1024;

    private static final Logger log = LoggerFactory.getLogger(BatchEventStreams.class);

    private final BatchEventFeed feed;

    private final StreamSlots slots;

    private final JsonMapper jsonMapper;

    private final FailfastProperties.Streams settings;

    private final JobHandlers handlers;

    private final Map<UUID, Set<Subscriber>> subscribers = new ConcurrentHashMap<>();

    BatchEventStreams(BatchEventFeed feed, StreamSlots slots, JsonMapper jsonMapper, JobHandlers handlers,
            FailfastProperties properties) {
        this.feed = feed;
        this.slots = slots;
        this.jsonMapper = jsonMapper;
        this.settings = properties.streams();
        this.handlers = handlers;
    }

    /**
     * Opens a stream on a batch. Subscribes before reading the batch's status (or what
     * changed since {@code lastSeen}), so no change can be missed between those and the
     * events after them; events queued meanwhile that the start already told are not sent
     * again.
     * @param lastSeen the position of the last event the client received, from
     * {@code Last-Event-ID}; null for a new stream, which starts with the batch's status
     * @throws LimitExceededException when as many streams are open as a cap allows
     * @throws BatchNotFoundException when there is no such batch the caller sees
     */
    SseEmitter subscribe(Caller caller, UUID batchId, @Nullable EventPosition lastSeen) {
        StreamSlots.Slot slot = slots.take(caller.tenant());
        StreamLifetime lifetime = StreamLifetime.next(settings);
        var emitter = lifetime.emitter(settings);
        var subscriber = new Subscriber(batchId, emitter, slot, lifetime.endsAtNanos());
        try {
            subscribers.computeIfAbsent(batchId, id -> ConcurrentHashMap.newKeySet()).add(subscriber);
            feed.follow(batchId);
            subscriber.following = true;
            Snapshot current = feed.current(batchId).filter(snapshot -> caller.sees(snapshot.batch())).orElse(null);
            if (current == null) {
                throw new BatchNotFoundException(batchId);
            }
            subscriber.startWith(opening(batchId, current, lastSeen), lastSeen == null ? current.position() : lastSeen);
        }
        catch (RuntimeException e) {
            remove(subscriber);
            throw e;
        }
        emitter.onCompletion(() -> remove(subscriber));
        emitter.onError(e -> remove(subscriber));
        emitter.onTimeout(() -> {
            remove(subscriber);
            emitter.complete();
        });
        if (subscriber.open()) {
            Thread.ofVirtual().name("failfast-sse-" + batchId).start(subscriber::drain);
        }
        return emitter;
    }

    /**
     * What a stream sends first: the status; or for one that reconnects, the events it
     * missed (and the terminal status, if the batch has ended and they do not hold it),
     * or a {@code reset} and the status when those can no longer be told.
     */
    private List<Item> opening(UUID batchId, Snapshot current, @Nullable EventPosition lastSeen) {
        if (lastSeen == null) {
            return List.of(new Item.Status(current));
        }
        List<FeedEvent> missed = feed.since(batchId, lastSeen).orElse(null);
        if (missed == null) {
            return List.of(new Item.Reset(lastSeen), new Item.Status(current));
        }
        List<Item> items = new ArrayList<>();
        boolean ends = false;
        for (FeedEvent event : missed) {
            if (!(event.event() instanceof BatchEvent.Submitted)) {
                var published = new Published(event);
                items.add(published);
                ends = ends || published.isTerminalStatus();
            }
        }
        if (!ends && current.batch().state().isTerminal()) {
            // Its id is never before the events just sent: the status may have been read
            // before they were.
            EventPosition at = missed.isEmpty() ? lastSeen : missed.getLast().position();
            items.add(new Item.Status(at.isAfter(current.position()) ? new Snapshot(current.batch(), at) : current));
        }
        return items;
    }

    /** Subscribers over all batches, for metrics and tests. */
    int subscriberCount() {
        return subscribers.values().stream().mapToInt(Set::size).sum();
    }

    @Override
    public void onFeedEvent(FeedEvent event) {
        Set<Subscriber> forBatch = subscribers.get(event.event().batch().id());
        if (forBatch != null && !(event.event() instanceof BatchEvent.Submitted)) {
            var published = new Published(event);
            forBatch.forEach(subscriber -> subscriber.offer(published));
        }
    }

    /** Ends a subscription, once, however the stream ended: unfollows, frees the slot. */
    private void remove(Subscriber subscriber) {
        var removed = new boolean[1];
        subscribers.computeIfPresent(subscriber.batchId, (id, set) -> {
            removed[0] = set.remove(subscriber);
            return set.isEmpty() ? null : set;
        });
        if (removed[0]) {
            try {
                if (subscriber.following) {
                    feed.unfollow(subscriber.batchId);
                }
            }
            finally {
                subscriber.slot.release();
            }
        }
    }

    /** The JSON of an event: the batch's status, or the job's. */
    private Object response(BatchEvent event) {
        return switch (event) {
            case BatchEvent.JobChanged changed -> JobResponse.of(changed.job(), handlers, changed.batch());
            default -> BatchResponse.of(event.batch());
        };
    }

    private sealed interface Item {

        /** The batch's status, with the position of the last event it shows. */
        record Status(Snapshot snapshot) implements Item {
        }

        /**
         * The events after the client's last one can no longer be told: a {@code reset}
         * event, then the status.
         */
        record Reset(EventPosition lastSeen) implements Item {
        }

        /**
         * Events were dropped: send a {@code lagged} event and the batch's current
         * status.
         */
        record Resync() implements Item {
        }

    }

    /** A feed event as every subscriber of its batch sends it. */
    private final class Published implements Item {

        final FeedEvent feedEvent;

        private volatile @Nullable String json;

        Published(FeedEvent feedEvent) {
            this.feedEvent = feedEvent;
        }

        EventPosition position() {
            return feedEvent.position();
        }

        String name() {
            return feedEvent.event() instanceof BatchEvent.JobChanged ? "job" : "batch";
        }

        /** A batch event with a terminal state: the stream's last. */
        boolean isTerminalStatus() {
            BatchEvent event = feedEvent.event();
            return !(event instanceof BatchEvent.JobChanged) && event.batch().state().isTerminal();
        }

        /**
         * The event's JSON, written by the first subscriber that needs it (a race only
         * writes it twice).
         */
        String json() {
            String written = json;
            if (written == null) {
                written = jsonMapper.writeValueAsString(response(feedEvent.event()));
                json = written;
            }
            return written;
        }

    }

    private final class Subscriber {

        final UUID batchId;

        final SseEmitter emitter;

        final StreamSlots.Slot slot;

        /** {@link System#nanoTime()} at which the stream ends. */
        final long endsAt;

        final BlockingDeque<Item> queue = new LinkedBlockingDeque<>(QUEUE_CAPACITY);

        final AtomicLong dropped = new AtomicLong();

        /** Whether {@link BatchEventFeed#follow} succeeded, so removal unfollows. */
        volatile boolean following;

        /** Sent by {@link #open}, on the request thread. */
        private List<Item> opening = List.of();

        /**
         * The position of the last event the client has: events queued at or before it
         * are not sent. Set on the request thread, then on the drain thread it starts.
         */
        private @Nullable EventPosition lastSent;

        Subscriber(UUID batchId, SseEmitter emitter, StreamSlots.Slot slot, long endsAt) {
            this.batchId = batchId;
            this.emitter = emitter;
            this.slot = slot;
            this.endsAt = endsAt;
        }

        /** What the stream sends before the events queued, and where the client is. */
        void startWith(List<Item> items, EventPosition clientAt) {
            this.opening = List.copyOf(items);
            this.lastSent = clientAt;
        }

        /** Called by the feed, on the engine's thread: never blocks. */
        void offer(Published event) {
            if (!queue.offer(event)) {
                dropped.addAndGet(queue.size() + 1L);
                queue.clear();
                queue.offer(new Item.Resync());
            }
        }

        /**
         * Sends the start on the request thread, before Spring takes the emitter over: it
         * buffers these and writes them when it does, so the response is committed, with
         * its headers, before the drain thread writes to it (the security filters still
         * read and write headers on the way out). Returns false when the stream is
         * already over (the batch has ended).
         */
        boolean open() {
            try {
                emitter.send(SseEmitter.event().reconnectTime(settings.reconnectDelay().toMillis()));
                for (Item item : opening) {
                    if (send(item)) {
                        emitter.complete();
                        remove(this);
                        return false;
                    }
                }
                return true;
            }
            catch (IOException e) {
                remove(this);
                emitter.completeWithError(e);
                return false;
            }
        }

        void drain() {
            try {
                while (true) {
                    long left = endsAt - System.nanoTime();
                    if (left <= 0) {
                        sendReconnect();
                        emitter.complete();
                        return;
                    }
                    Item item = queue.poll(Math.min(settings.heartbeat().toNanos(), left), TimeUnit.NANOSECONDS);
                    if (item == null) {
                        if (endsAt - System.nanoTime() > 0) {
                            emitter.send(SseEmitter.event().comment("keep-alive"));
                        }
                    }
                    else if (send(item)) {
                        emitter.complete();
                        return;
                    }
                }
            }
            catch (IOException | RuntimeException e) {
                log.debug("Event stream of batch {} closed: {}", batchId, e.toString());
            }
            catch (InterruptedException e) {
                emitter.complete();
            }
            finally {
                // The emitter's completion callback does not run if it completed before
                // Spring took it over, nor when the client went away.
                remove(this);
            }
        }

        /** Sends one item; returns true once the batch's terminal status was sent. */
        private boolean send(Item item) throws IOException {
            return switch (item) {
                case Published published -> {
                    if (lastSent != null && !published.position().isAfter(lastSent)) {
                        yield false; // the start already told it
                    }
                    emit(published.name(), published.json(), published.position());
                    yield published.isTerminalStatus();
                }
                case Item.Status(Snapshot snapshot) -> sendStatus(snapshot);
                case Item.Reset(EventPosition lastSeen) -> {
                    emit("reset", Map.of("reason", "not-replayable"), lastSeen);
                    yield false;
                }
                case Item.Resync() -> {
                    emit("lagged", Map.of("dropped", dropped.getAndSet(0)), position());
                    yield sendStatus(feed.current(batchId).orElseThrow(() -> new BatchNotFoundException(batchId)));
                }
            };
        }

        private boolean sendStatus(Snapshot snapshot) throws IOException {
            Batch batch = snapshot.batch();
            emit("batch", BatchResponse.of(batch), snapshot.position());
            return batch.state().isTerminal();
        }

        /**
         * The stream has lasted its lifetime: the client reconnects with the last id, and
         * its credential is checked again.
         */
        private void sendReconnect() throws IOException {
            emit("reconnect", Map.of("reason", "max-lifetime"), position());
        }

        private EventPosition position() {
            EventPosition at = lastSent;
            if (at == null) {
                throw new IllegalStateException("a stream's position is set before it sends");
            }
            return at;
        }

        /** Sends an object, or a String that is already JSON, as JSON. */
        private void emit(String name, Object data, EventPosition position) throws IOException {
            var event = SseEmitter.event().id(EventIds.format(position)).name(name);
            if (name.equals("reconnect")) {
                event.reconnectTime(settings.reconnectDelay().toMillis());
            }
            emitter.send(event.data(data, MediaType.APPLICATION_JSON));
            lastSent = position;
        }

    }

}
