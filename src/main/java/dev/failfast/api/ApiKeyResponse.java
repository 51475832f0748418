package dev.failfast.api;

import dev.failfast.security.ApiKey;
import dev.failfast.security.Scope;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** An API key as the service keeps it: never the key itself. */
@Schema(description = "An API key (never the key itself, which is shown once, when it is created)")
record ApiKeyResponse(UUID id, String name, String tenant,
        @Schema(example = "[\"batches:read\", \"batches:write\"]") List<String> scopes,
        @Schema(description = "The key's first characters, to tell keys apart", example = "ffk_Xy3q") String prefix,
        Instant createdAt,
        @Schema(description = "Who created it", example = "key:0193c3b0-5d7e-7c4a-9f1e-3b2a1c0d9e8f") String createdBy,
        @Schema(description = "When it last authenticated a request, to the minute") @Nullable Instant lastUsedAt,
        @Nullable Instant expiresAt, @Nullable Instant revokedAt, @Nullable String revokedBy,
        @Schema(description = "Whether it authenticates requests now: not revoked, not expired") boolean active) {

    static ApiKeyResponse of(ApiKey key, Instant now) {
        return new ApiKeyResponse(key.id(), key.name(), key.tenant(),
                key.scopes().stream().map(Scope::value).sorted().toList(), key.prefix(), key.createdAt(),
                key.createdBy(), key.lastUsedAt(), key.expiresAt(), key.revokedAt(), key.revokedBy(),
                key.isActiveAt(now));
    }

}
