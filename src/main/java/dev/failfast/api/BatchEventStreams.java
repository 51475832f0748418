package dev.failfast.api;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchEvent;
import dev.failfast.batch.BatchNotFoundException;
import dev.failfast.batch.Caller;
import dev.failfast.engine.BatchEventFeed;
import dev.failfast.engine.BatchEventListener;
import dev.failfast.job.JobHandlers;
import dev.failfast.store.BatchStore;
import java.io.IOException;
import java.time.Duration;
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
 * Server-sent event streams of batches. The engine only drops each event into every
 * subscriber's bounded queue; one virtual thread per subscriber writes them, so a slow or
 * stalled client never holds up the engine or other clients. Each event is turned into
 * JSON once, by the first subscriber to send it, whatever the number of subscribers. A
 * subscriber that falls more than {@value #QUEUE_CAPACITY} events behind gets a
 * {@code lagged} event followed by the batch's current status, and goes on from there.
 */
@Component
class BatchEventStreams implements BatchEventListener {

    static final int QUEUE_CAPACITY = 1024;
    static final Duration HEARTBEAT = Duration.ofSeconds(15);

    private static final Logger log = LoggerFactory.getLogger(BatchEventStreams.class);

    private final BatchStore store;

    private final BatchEventFeed feed;

    private final JsonMapper jsonMapper;

    private final JobHandlers handlers;

    private final Map<UUID, Set<Subscriber>> subscribers = new ConcurrentHashMap<>();

    BatchEventStreams(BatchStore store, BatchEventFeed feed, JsonMapper jsonMapper, JobHandlers handlers) {
        this.store = store;
        this.feed = feed;
        this.jsonMapper = jsonMapper;
        this.handlers = handlers;
    }

    /**
     * Opens a stream on a batch. Subscribes before reading the batch's status, so no
     * change can be missed between the status and the events after it. The status goes
     * out first; events queued while it was read follow it, and may repeat changes it
     * already shows. (They cannot be dropped: one of them may be newer than the status,
     * such as the terminal one.)
     * @throws BatchNotFoundException when there is no such batch the caller sees
     */
    SseEmitter subscribe(Caller caller, UUID batchId) {
        var emitter = new SseEmitter(0L); // no timeout: the stream lasts as long as the
                                          // batch
        var subscriber = new Subscriber(batchId, emitter);
        subscribers.computeIfAbsent(batchId, id -> ConcurrentHashMap.newKeySet()).add(subscriber);
        feed.follow(batchId);
        Batch current = store.findBatch(batchId).filter(caller::sees).orElse(null);
        if (current == null) {
            remove(subscriber);
            throw new BatchNotFoundException(batchId);
        }
        subscriber.startWith(new Item.Status(current));
        emitter.onCompletion(() -> remove(subscriber));
        emitter.onError(e -> remove(subscriber));
        Thread.ofVirtual().name("failfast-sse-" + batchId).start(subscriber::drain);
        return emitter;
    }

    /** Subscribers over all batches, for metrics and tests. */
    int subscriberCount() {
        return subscribers.values().stream().mapToInt(Set::size).sum();
    }

    /** In cluster mode, streams show every replica's changes. */
    @Override
    public boolean followsWholeCluster() {
        return true;
    }

    @Override
    public void onEvent(BatchEvent event) {
        Set<Subscriber> forBatch = subscribers.get(event.batch().id());
        if (forBatch != null && !(event instanceof BatchEvent.Submitted)) {
            var published = new Published(event);
            forBatch.forEach(subscriber -> subscriber.offer(published));
        }
    }

    private void remove(Subscriber subscriber) {
        var removed = new boolean[1];
        subscribers.computeIfPresent(subscriber.batchId, (id, set) -> {
            removed[0] = set.remove(subscriber);
            return set.isEmpty() ? null : set;
        });
        if (removed[0]) {
            feed.unfollow(subscriber.batchId);
        }
    }

    private sealed interface Item {

        record Status(Batch batch) implements Item {
        }

        /**
         * Events were dropped: send a {@code lagged} event and the batch's current
         * status.
         */
        record Resync() implements Item {
        }

    }

    /** An engine event as every subscriber of its batch sends it. */
    private final class Published implements Item {

        final BatchEvent event;

        private volatile @Nullable String json;

        Published(BatchEvent event) {
            this.event = event;
        }

        String name() {
            return event instanceof BatchEvent.JobChanged ? "job" : "batch";
        }

        /** A batch event with a terminal state: the stream's last. */
        boolean isTerminalStatus() {
            return !(event instanceof BatchEvent.JobChanged) && event.batch().state().isTerminal();
        }

        /**
         * The event's JSON, written by the first subscriber that needs it (a race only
         * writes it twice).
         */
        String json() {
            String written = json;
            if (written == null) {
                written = jsonMapper.writeValueAsString(switch (event) {
                    case BatchEvent.JobChanged changed -> JobResponse.of(changed.job(), handlers);
                    default -> BatchResponse.of(event.batch());
                });
                json = written;
            }
            return written;
        }

    }

    private final class Subscriber {

        final UUID batchId;

        final SseEmitter emitter;

        final BlockingDeque<Item> queue = new LinkedBlockingDeque<>(QUEUE_CAPACITY);

        final AtomicLong dropped = new AtomicLong();

        long sent;

        Subscriber(UUID batchId, SseEmitter emitter) {
            this.batchId = batchId;
            this.emitter = emitter;
        }

        /** Puts the status ahead of the events published since the subscription. */
        void startWith(Item.Status status) {
            if (!queue.offerFirst(status)) {
                overflow();
                queue.offerFirst(status);
            }
        }

        /** Called by the engine with the batch's lock held: never blocks. */
        void offer(Published event) {
            if (!queue.offer(event)) {
                overflow();
            }
        }

        private void overflow() {
            dropped.addAndGet(queue.size() + 1L);
            queue.clear();
            queue.offer(new Item.Resync());
        }

        void drain() {
            try {
                while (true) {
                    Item item = queue.poll(HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
                    if (item == null) {
                        emitter.send(SseEmitter.event().comment("keep-alive"));
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
                // Spring took it over.
                remove(this);
            }
        }

        /** Sends one item; returns true once the batch's terminal status was sent. */
        private boolean send(Item item) throws IOException {
            return switch (item) {
                case Published published -> {
                    emit(published.name(), published.json());
                    yield published.isTerminalStatus();
                }
                case Item.Status(Batch batch) -> sendStatus(batch);
                case Item.Resync() -> {
                    emit("lagged", Map.of("dropped", dropped.getAndSet(0)));
                    yield sendStatus(store.findBatch(batchId).orElseThrow(() -> new BatchNotFoundException(batchId)));
                }
            };
        }

        private boolean sendStatus(Batch batch) throws IOException {
            emit("batch", BatchResponse.of(batch));
            return batch.state().isTerminal();
        }

        /** Sends an object, or a String that is already JSON, as JSON. */
        private void emit(String name, Object data) throws IOException {
            emitter
                .send(SseEmitter.event().id(Long.toString(++sent)).name(name).data(data, MediaType.APPLICATION_JSON));
        }

    }

}
