package dev.failfast.store;

import java.util.UUID;

/**
 * The batch an idempotency key created.
 *
 * @param batchId the batch
 * @param requestFingerprint the fingerprint of the request that created it
 */
public record KeyedBatch(UUID batchId, String requestFingerprint) {
}
