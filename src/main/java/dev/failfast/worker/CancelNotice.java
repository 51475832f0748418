package dev.failfast.worker;

import java.time.Instant;
import java.util.UUID;

/**
 * Tells a worker to stop one of its attempts.
 *
 * @param reason {@code BATCH_CANCELLED} (the batch's cause, a user's cancel, its
 * deadline) or {@code TIMEOUT} (the job's timeout)
 * @param requestedAt when the engine cancelled the attempt, for the cancel latency
 */
public record CancelNotice(UUID attemptId, UUID batchId, String jobId, String reason, Instant requestedAt) {
}
