package dev.failfast.api;

import dev.failfast.job.WebhookPost;
import dev.failfast.store.Notification;
import dev.failfast.store.NotificationStatus;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** One notification of a batch and its delivery so far. */
@Schema(description = "One notification of a batch: an event of a run for one target, and its delivery so far")
record NotificationResponse(@Schema(description = "Sent as webhook-id, the same on every attempt") UUID id,
        @Schema(example = "batch.failed") String event,
        @Schema(description = "The batch run it is about", example = "1") int run,
        @Schema(description = "batch:<index in the batch's notifications> or subscription:<id>",
                example = "batch:0") String target,
        @Schema(description = "The URL, its query and credentials masked") String url,
        @Schema(description = "PENDING until a 2xx (DELIVERED) or until its retries ran out (FAILED)") NotificationStatus status,
        @Schema(description = "Attempts made", example = "1") int attempts,
        @Schema(description = "The receiver's status at the last attempt; null when no answer came",
                example = "200") @Nullable Integer lastStatus,
        @Schema(description = "Why the last attempt failed") @Nullable String lastError,
        @Schema(description = "When the event was recorded") Instant createdAt, @Nullable Instant lastAttemptAt,
        @Schema(description = "When the next attempt is due; null once delivered or failed") @Nullable Instant nextAttemptAt,
        @Nullable Instant deliveredAt,
        @Schema(description = "When retries stop; a re-send moves it") Instant giveUpAt) {

    static NotificationResponse of(Notification n) {
        return new NotificationResponse(n.id(), n.event().value(), n.run(), n.target(), WebhookPost.redactUrl(n.url()),
                n.status(), n.attempts(), n.lastStatus(), n.lastError(), n.createdAt(), n.lastAttemptAt(),
                n.nextAttemptAt(), n.deliveredAt(), n.giveUpAt());
    }

}
