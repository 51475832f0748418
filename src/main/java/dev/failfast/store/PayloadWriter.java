package dev.failfast.store;

import dev.failfast.batch.Batch;
import dev.failfast.batch.NotificationEvent;
import java.time.Instant;

/**
 * Writes the body a notification sends, from the batch as it stands when it is recorded.
 */
@FunctionalInterface
public interface PayloadWriter {

    String payload(Batch batch, NotificationEvent event, Instant at);

}
