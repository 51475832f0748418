package dev.failfast.api;

import dev.failfast.settings.FailfastProperties;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * How long an event stream (a batch's, a worker's) lasts before it ends with
 * {@code reconnect}, and the emitter that backs that up.
 *
 * @param duration {@code failfast.streams.max-lifetime} less up to a tenth, so streams
 * opened together end apart
 */
record StreamLifetime(Duration duration) {

    static StreamLifetime next(FailfastProperties.Streams settings) {
        long nanos = settings.maxLifetime().toNanos();
        return new StreamLifetime(Duration.ofNanos(nanos - ThreadLocalRandom.current().nextLong(nanos / 10 + 1)));
    }

    /**
     * An emitter whose servlet timeout backs up the lifetime, for a stream whose writer
     * is stuck on a client that stopped reading.
     */
    SseEmitter emitter(FailfastProperties.Streams settings) {
        return new SseEmitter(duration.plus(settings.heartbeat()).plusSeconds(5).toMillis());
    }

    /** {@link System#nanoTime()} at which a stream opened now ends. */
    long endsAtNanos() {
        return System.nanoTime() + duration.toNanos();
    }

}
