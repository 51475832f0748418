package dev.failfast.api;

import dev.failfast.batch.Caller;
import dev.failfast.engine.LimitExceededException;
import dev.failfast.job.CancellationToken;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.worker.CancelNotice;
import dev.failfast.worker.RemoteAttempts;
import dev.failfast.worker.UnknownWorkerException;
import dev.failfast.worker.WorkerListener;
import dev.failfast.worker.WorkerObserver;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * A worker's event stream: a {@code cancel} for each of its attempts the moment it is
 * cancelled. The registry hands each cancel to the stream's queue on the cancelling
 * thread; one virtual thread per stream writes it, so a slow worker never holds up the
 * engine. A stream starts with {@code ready} (from then on no cancel is missed: the ones
 * made before are sent first), ends with {@code lost} when the worker's session does, and
 * with {@code reconnect} after {@code failfast.streams.max-lifetime}.
 *
 * <p>
 * A worker may have {@value #MAX_PER_WORKER} streams open (one, and its successor while
 * it reconnects); they do not take the tenant's batch-stream slots, as the number of live
 * workers bounds them already.
 */
@Component
class WorkerEventStreams {

    static final int MAX_PER_WORKER = 2;

    private static final Logger log = LoggerFactory.getLogger(WorkerEventStreams.class);

    /** Open streams by worker. */
    private final Map<UUID, Integer> open = new ConcurrentHashMap<>();

    private final RemoteAttempts attempts;

    private final WorkerObserver observer;

    private final Clock clock;

    private final FailfastProperties.Streams settings;

    WorkerEventStreams(RemoteAttempts attempts, WorkerObserver observer, Clock clock, FailfastProperties properties) {
        this.attempts = attempts;
        this.observer = observer;
        this.clock = clock;
        this.settings = properties.streams();
    }

    /**
     * Opens the stream of a worker of the caller's tenant.
     * @throws dev.failfast.worker.UnknownWorkerException when it has no such live worker
     * @throws LimitExceededException when the worker has {@value #MAX_PER_WORKER} open
     */
    SseEmitter subscribe(Caller caller, UUID workerId) {
        // Another tenant's caller must not take the worker's places, even for a moment.
        if (attempts.find(caller.tenant(), workerId).isEmpty()) {
            throw new UnknownWorkerException(workerId);
        }
        Runnable slot = take(caller.tenant(), workerId);
        StreamLifetime lifetime = StreamLifetime.next(settings);
        var emitter = lifetime.emitter(settings);
        var stream = new Stream(workerId, emitter, slot, lifetime.endsAtNanos());
        try {
            stream.registration = attempts.listen(caller.tenant(), workerId, stream);
            stream.live = true; // cancels told from here on are new, not replayed
        }
        catch (RuntimeException e) {
            slot.run();
            throw e;
        }
        emitter.onCompletion(stream::close);
        emitter.onError(e -> stream.close());
        emitter.onTimeout(() -> {
            stream.close();
            emitter.complete();
        });
        if (stream.open()) {
            Thread.ofVirtual().name("failfast-worker-sse-" + workerId).start(stream::drain);
        }
        return emitter;
    }

    /** Counts a stream of the worker; the returned task counts it out. */
    private Runnable take(String tenant, UUID workerId) {
        var taken = new boolean[1];
        open.compute(workerId, (id, count) -> {
            int now = count == null ? 0 : count;
            taken[0] = now < MAX_PER_WORKER;
            return taken[0] ? Integer.valueOf(now + 1) : count;
        });
        if (!taken[0]) {
            throw new LimitExceededException("Worker " + workerId + " has " + MAX_PER_WORKER + " streams open already",
                    WorkerLimit.WORKER_STREAMS, tenant, settings.reconnectDelay());
        }
        return () -> open.computeIfPresent(workerId, (id, count) -> count <= 1 ? null : count - 1);
    }

    private sealed interface Item {

        /**
         * @param measured a new cancel, not one replayed to a stream that opened after it
         */
        record Cancel(CancelNotice notice, boolean measured) implements Item {
        }

        record Lost() implements Item {
        }

    }

    private final class Stream implements WorkerListener {

        private final UUID workerId;

        private final SseEmitter emitter;

        private final Runnable slot;

        /** {@link System#nanoTime()} at which the stream ends. */
        private final long endsAt;

        /**
         * Unbounded: it holds at most a cancel per attempt the worker holds (its
         * capacity) and one {@code lost}.
         */
        private final BlockingQueue<Item> queue = new LinkedBlockingQueue<>();

        private volatile CancellationToken.Registration registration = () -> {
        };

        private boolean closed;

        /** Set once the subscription is made: the registry's replays come before. */
        private volatile boolean live;

        Stream(UUID workerId, SseEmitter emitter, Runnable slot, long endsAt) {
            this.workerId = workerId;
            this.emitter = emitter;
            this.slot = slot;
            this.endsAt = endsAt;
        }

        @Override
        public void cancelled(CancelNotice notice) {
            queue.add(new Item.Cancel(notice, live));
        }

        @Override
        public void lost() {
            queue.add(new Item.Lost());
        }

        /**
         * Sends {@code ready} on the request thread, before Spring takes the emitter
         * over, so the response is committed with its headers before the drain thread
         * writes.
         */
        boolean open() {
            try {
                emitter.send(SseEmitter.event().reconnectTime(settings.reconnectDelay().toMillis()));
                emitter.send(SseEmitter.event()
                    .name("ready")
                    .data(Map.of("workerId", workerId), MediaType.APPLICATION_JSON));
                return true;
            }
            catch (IOException e) {
                close();
                emitter.completeWithError(e);
                return false;
            }
        }

        void drain() {
            try {
                while (true) {
                    long left = endsAt - System.nanoTime();
                    if (left <= 0) {
                        emitter.send(SseEmitter.event()
                            .name("reconnect")
                            .reconnectTime(settings.reconnectDelay().toMillis())
                            .data(Map.of("reason", "max-lifetime"), MediaType.APPLICATION_JSON));
                        emitter.complete();
                        return;
                    }
                    Item item = queue.poll(Math.min(settings.heartbeat().toNanos(), left), TimeUnit.NANOSECONDS);
                    switch (item) {
                        case null -> emitter.send(SseEmitter.event().comment("keep-alive"));
                        case Item.Cancel(CancelNotice notice, boolean measured) -> {
                            emitter.send(SseEmitter.event()
                                .name("cancel")
                                .data(CancelEvent.of(notice), MediaType.APPLICATION_JSON));
                            if (measured) {
                                observer.cancelSent(Duration.between(notice.requestedAt(), clock.instant()));
                            }
                        }
                        case Item.Lost() -> {
                            emitter.send(SseEmitter.event()
                                .name("lost")
                                .data(Map.of("workerId", workerId), MediaType.APPLICATION_JSON));
                            emitter.complete();
                            return;
                        }
                    }
                }
            }
            catch (IOException | RuntimeException e) {
                log.debug("Event stream of worker {} closed: {}", workerId, e.toString());
            }
            catch (InterruptedException e) {
                emitter.complete();
            }
            finally {
                close();
            }
        }

        /** Ends the stream's subscription and frees its slot, once. */
        synchronized void close() {
            if (!closed) {
                closed = true;
                registration.close();
                slot.run();
            }
        }

    }

}
