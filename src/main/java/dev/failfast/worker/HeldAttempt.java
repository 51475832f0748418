package dev.failfast.worker;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * An attempt a worker holds.
 *
 * @param offer what was claimed
 * @param claimedAt when the worker claimed it
 * @param progress what the worker last reported with a heartbeat, if anything
 * @param cancelReason why it was cancelled, once it is; the worker should stop it
 * @param cancelledAt when it was cancelled
 */
public record HeldAttempt(RemoteOffer offer, Instant claimedAt, @Nullable JsonNode progress,
        @Nullable String cancelReason, @Nullable Instant cancelledAt) {

    public UUID id() {
        return offer.attemptId();
    }

    /**
     * What the worker's cancel stream and heartbeat answers say of this attempt, once it
     * is cancelled.
     */
    public @Nullable CancelNotice cancelNotice() {
        if (cancelReason == null || cancelledAt == null) {
            return null;
        }
        return new CancelNotice(offer.attemptId(), offer.batchId(), offer.jobId(), cancelReason, cancelledAt);
    }

}
