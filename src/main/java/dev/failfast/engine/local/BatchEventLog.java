package dev.failfast.engine.local;

import dev.failfast.engine.FeedEvent;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * The last events of one followed batch, for streams that reconnect: a ring of at most
 * {@code capacity} events, and the number after which it holds every event of the batch.
 * Kept while streams follow the batch and until {@code expiresAt} after the last one
 * left.
 */
final class BatchEventLog {

    private final int capacity;

    private final ArrayDeque<FeedEvent> events = new ArrayDeque<>();

    /** Every event of the batch numbered after this is in the log (or was dropped). */
    private long complete = Long.MAX_VALUE;

    private int streams;

    private @Nullable Instant waitingSince;

    private @Nullable Instant expiresAt;

    BatchEventLog(int capacity) {
        this.capacity = capacity;
    }

    synchronized void keepsFrom(long number) {
        complete = number;
    }

    synchronized void append(FeedEvent event) {
        if (capacity == 0) {
            complete = Math.max(complete, event.position().major());
            return;
        }
        if (events.size() == capacity) {
            complete = events.removeFirst().position().major();
        }
        events.addLast(event);
    }

    /**
     * The events numbered after {@code number}, or empty when the log does not hold all
     * of them.
     */
    synchronized Optional<List<FeedEvent>> after(long number) {
        if (number < complete) {
            return Optional.empty();
        }
        return Optional.of(events.stream().filter(event -> event.position().major() > number).toList());
    }

    synchronized void followed() {
        streams++;
        waitingSince = null;
        expiresAt = null;
    }

    /** Its last stream left at {@code now}: kept until {@code until} for it to return. */
    synchronized void unfollowed(Instant now, Instant until) {
        if (--streams == 0) {
            waitingSince = now;
            expiresAt = until;
        }
    }

    /** When its last stream left, or null while streams follow it. */
    synchronized @Nullable Instant waitingSince() {
        return waitingSince;
    }

    synchronized boolean expired(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

}
