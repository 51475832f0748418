package dev.failfast.security;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import dev.failfast.batch.Caller;
import dev.failfast.logging.LogText;
import dev.failfast.store.Page;
import dev.failfast.store.PageRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;

/**
 * Creates, lists and revokes API keys, and finds the key a request sent. Every change
 * writes an audit line naming who made it.
 */
public final class ApiKeys {

    /**
     * Keys may expire until then, no later: every supported database stores that date.
     */
    static final Instant LATEST_EXPIRY = Instant.parse("9999-01-01T00:00:00Z");

    /** A key's last use is written at most this often, not on every request. */
    static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);

    private static final Logger audit = LoggerFactory.getLogger("dev.failfast.audit");

    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);

    private final ApiKeyStore store;

    private final Clock clock;

    private final TimeBasedEpochGenerator ids = Generators.timeBasedEpochGenerator();

    ApiKeys(ApiKeyStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /**
     * Creates a key for {@code tenant}; the result holds the key itself, which is shown
     * this once.
     * @throws IllegalArgumentException when {@code expiresAt} is not in the future, or
     * after {@link #LATEST_EXPIRY}
     */
    public NewApiKey create(Caller creator, String name, String tenant, Set<Scope> scopes,
            @Nullable Instant expiresAt) {
        Instant now = clock.instant();
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw new IllegalArgumentException("must be in the future");
        }
        if (expiresAt != null && expiresAt.isAfter(LATEST_EXPIRY)) {
            throw new IllegalArgumentException("must be before " + LATEST_EXPIRY);
        }
        String secret = KeySecrets.generate();
        ApiKey key = new ApiKey(ids.generate(), name, tenant, EnumSet.copyOf(scopes), KeySecrets.shown(secret), now,
                creator.principal(), null, expiresAt, null, null);
        store.insert(key, KeySecrets.hash(secret));
        audit.info("API key {} ({}) created for tenant {} with scopes {} by {}", key.id(), LogText.of(name),
                LogText.of(tenant), key.scopes(), LogText.of(creator.principal()));
        return new NewApiKey(key, secret);
    }

    /**
     * Stores {@code secret}, given by the operator, as an admin key of {@code tenant},
     * unless a key with this secret exists: then it is kept as it is (a revoked one stays
     * revoked).
     * @return the key with this secret
     */
    ApiKey ensure(String secret, String name, String tenant, String createdBy) {
        String hash = KeySecrets.hash(secret);
        Optional<ApiKey> existing = store.findByHash(hash);
        if (existing.isPresent()) {
            return existing.get();
        }
        ApiKey key = new ApiKey(ids.generate(), name, tenant, EnumSet.of(Scope.ADMIN), KeySecrets.shown(secret),
                clock.instant(), createdBy, null, null, null, null);
        try {
            store.insert(key, hash);
        }
        catch (DuplicateKeyException e) {
            // Another replica, starting with the same bootstrap key, stored it first.
            return store.findByHash(hash).orElseThrow(() -> e);
        }
        audit.info("API key {} ({}) created for tenant {} with scopes {} by {}", key.id(), LogText.of(name),
                LogText.of(tenant), key.scopes(), LogText.of(createdBy));
        return key;
    }

    /** Whether no key exists at all, revoked or not. */
    boolean noneExist() {
        return store.isEmpty();
    }

    /**
     * Keys newest first, of one tenant or (null) of every tenant; never their secrets.
     */
    public Page<ApiKey> list(@Nullable String tenant, PageRequest page) {
        return store.list(tenant, page);
    }

    public Optional<ApiKey> find(UUID id) {
        return store.find(id);
    }

    /**
     * Revokes a key: from this moment no replica accepts it. Revoking a revoked key
     * changes nothing.
     * @return the key as it is now, or empty if there is no such key
     */
    public Optional<ApiKey> revoke(Caller revoker, UUID id) {
        boolean revokedNow = store.revoke(id, clock.instant(), revoker.principal());
        Optional<ApiKey> key = store.find(id);
        if (revokedNow) {
            audit.info("API key {} of tenant {} revoked by {}", id, LogText.of(key.map(ApiKey::tenant).orElse("?")),
                    LogText.of(revoker.principal()));
        }
        return key;
    }

    /**
     * The active key whose secret a request sent, if there is one. The store is asked on
     * every request, so a key revoked on one replica is refused by every replica at once.
     */
    Optional<ApiKey> authenticate(String secret) {
        Instant now = clock.instant();
        Optional<ApiKey> key = store.findByHash(KeySecrets.hash(secret)).filter(k -> k.isActiveAt(now));
        key.ifPresent(k -> touch(k, now));
        return key;
    }

    /** Records a key's use; a failure to is logged, and never fails the request. */
    private void touch(ApiKey key, Instant now) {
        Instant lastUsed = key.lastUsedAt();
        Instant stale = now.minus(LAST_USED_RESOLUTION);
        if (lastUsed != null && lastUsed.isAfter(stale)) {
            return;
        }
        try {
            store.touch(key.id(), now, stale);
        }
        catch (DataAccessException e) {
            log.warn("Could not record the use of API key {}", key.id(), e);
        }
    }

}
