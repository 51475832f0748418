package dev.failfast.api;

import dev.failfast.security.NewApiKey;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/** A key just created, with the key itself: shown this once. */
@Schema(description = "A key just created, with the key itself: shown this once, never again")
record NewApiKeyResponse(UUID id, String name, String tenant, List<String> scopes, Instant createdAt, String createdBy,
        @Nullable Instant expiresAt,
        @Schema(description = "The key: send it as 'Authorization: Bearer <key>'. Keep it secret; it cannot be "
                + "shown again", example = "ffk_Xy3qT0pS3cr3tK3yOnlyAnExampleAAAAAAAAAAAA") String key) {

    static NewApiKeyResponse of(NewApiKey created) {
        var key = ApiKeyResponse.of(created.apiKey(), created.apiKey().createdAt());
        return new NewApiKeyResponse(key.id(), key.name(), key.tenant(), key.scopes(), key.createdAt(), key.createdBy(),
                key.expiresAt(), created.secret());
    }

    @Override
    public String toString() {
        return "NewApiKeyResponse[id=" + id + ", key=(hidden)]";
    }

}
