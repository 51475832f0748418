package dev.failfast.engine;

import dev.failfast.batch.BatchEvent;

/** A batch event with its position among the batch's events, as streams send it. */
public record FeedEvent(BatchEvent event, EventPosition position) {
}
