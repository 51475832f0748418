package dev.failfast.security;

import dev.failfast.store.Page;
import dev.failfast.store.PageRequest;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * Where API keys are kept: the service's database, so every replica sees a key (and its
 * revocation) at once; or memory, with {@code failfast.store.type=memory}.
 */
interface ApiKeyStore {

    /**
     * Stores a new key under the hash of its secret.
     * @throws org.springframework.dao.DuplicateKeyException when a key with this hash
     * exists
     */
    void insert(ApiKey key, String hash);

    /** The key whose secret has this hash, active or not. */
    Optional<ApiKey> findByHash(String hash);

    Optional<ApiKey> find(UUID id);

    /** Keys newest first; of one tenant, or of all for null. */
    Page<ApiKey> list(@Nullable String tenant, PageRequest page);

    /**
     * Marks the key revoked unless it is already.
     * @return whether this call revoked it: false if it was revoked already, or there is
     * no such key
     */
    boolean revoke(UUID id, Instant at, String by);

    /**
     * Records that the key authenticated a request at {@code at}, unless it did so after
     * {@code unlessAfter}: one write a minute per key, not one per request.
     */
    void touch(UUID id, Instant at, Instant unlessAfter);

    /** Whether any key exists, revoked or not. */
    boolean isEmpty();

}
