package dev.failfast.security;

import dev.failfast.store.Page;
import dev.failfast.store.PageRequest;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;

/**
 * API keys in memory, with {@code failfast.store.type=memory}: gone at restart, like the
 * batches.
 */
final class InMemoryApiKeyStore implements ApiKeyStore {

    private final Map<UUID, ApiKey> keys = new ConcurrentHashMap<>();

    private final Map<String, UUID> idsByHash = new ConcurrentHashMap<>();

    @Override
    public synchronized void insert(ApiKey key, String hash) {
        if (idsByHash.putIfAbsent(hash, key.id()) != null) {
            throw new DuplicateKeyException("An API key with this hash exists");
        }
        keys.put(key.id(), key);
    }

    @Override
    public Optional<ApiKey> findByHash(String hash) {
        UUID id = idsByHash.get(hash);
        return id == null ? Optional.empty() : find(id);
    }

    @Override
    public Optional<ApiKey> find(UUID id) {
        return Optional.ofNullable(keys.get(id));
    }

    @Override
    public Page<ApiKey> list(@Nullable String tenant, PageRequest page) {
        List<ApiKey> matching = keys.values()
            .stream()
            .filter(key -> tenant == null || key.tenant().equals(tenant))
            .sorted(Comparator.comparing(ApiKey::createdAt).thenComparing(ApiKey::id).reversed())
            .toList();
        List<ApiKey> content = matching.stream().skip(page.offset()).limit(page.size()).toList();
        return new Page<>(content, page, matching.size());
    }

    @Override
    public boolean revoke(UUID id, Instant at, String by) {
        boolean[] revoked = new boolean[1];
        keys.computeIfPresent(id, (k, key) -> {
            if (key.revokedAt() != null) {
                return key;
            }
            revoked[0] = true;
            return key.revoked(at, by);
        });
        return revoked[0];
    }

    @Override
    public void touch(UUID id, Instant at, Instant unlessAfter) {
        keys.computeIfPresent(id, (k, key) -> {
            Instant lastUsed = key.lastUsedAt();
            return lastUsed != null && lastUsed.isAfter(unlessAfter) ? key : key.usedAt(at);
        });
    }

    @Override
    public boolean isEmpty() {
        return keys.isEmpty();
    }

}
