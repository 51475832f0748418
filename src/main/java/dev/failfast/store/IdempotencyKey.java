package dev.failfast.store;

import java.util.Objects;

/**
 * A client's {@code Idempotency-Key} and a fingerprint of the request it came with. The
 * key lives as long as the batch it created.
 *
 * @param key the header's value
 * @param requestFingerprint a hash of the request body, to tell a retry from a different
 * request
 */
public record IdempotencyKey(String key, String requestFingerprint) {

    public IdempotencyKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(requestFingerprint, "requestFingerprint");
    }
}
