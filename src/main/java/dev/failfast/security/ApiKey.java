package dev.failfast.security;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * An API key as the service keeps it: never the key itself, which only its holder knows.
 *
 * @param id the key's id, which names it in the API and in audit lines
 * @param name a label for humans, such as {@code ci-deploy}
 * @param tenant the tenant the holder acts for
 * @param scopes what the holder may do
 * @param prefix the key's first characters, to tell keys apart without them
 * @param createdAt when it was created
 * @param createdBy who created it
 * @param lastUsedAt when it last authenticated a request, to the minute; null if never
 * @param expiresAt when it stops working; null for never
 * @param revokedAt when it was revoked; null while it is not
 * @param revokedBy who revoked it
 */
public record ApiKey(UUID id, String name, String tenant, Set<Scope> scopes, String prefix, Instant createdAt,
        String createdBy, @Nullable Instant lastUsedAt, @Nullable Instant expiresAt, @Nullable Instant revokedAt,
        @Nullable String revokedBy) {

    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(tenant, "tenant");
        scopes = Set.copyOf(scopes);
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(createdBy, "createdBy");
    }

    /**
     * Whether the key authenticates requests at {@code now}: not revoked, not expired.
     */
    public boolean isActiveAt(Instant now) {
        return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
    }

    /** The principal its holder acts as: {@code key:<id>}. */
    public String principal() {
        return "key:" + id;
    }

    /** This key revoked by {@code by} at {@code at}. */
    ApiKey revoked(Instant at, String by) {
        return new ApiKey(id, name, tenant, scopes, prefix, createdAt, createdBy, lastUsedAt, expiresAt, at, by);
    }

    /** This key, last used at {@code at}. */
    ApiKey usedAt(Instant at) {
        return new ApiKey(id, name, tenant, scopes, prefix, createdAt, createdBy, at, expiresAt, revokedAt, revokedBy);
    }

}
