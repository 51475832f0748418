package dev.failfast.api;

import dev.failfast.batch.Owner;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A new API key: who it is for and what it may do.
 *
 * @param name a label for humans
 * @param tenant the tenant its holder acts for
 * @param scopes what its holder may do
 * @param expiresAt when it stops working; none for never
 */
@Schema(description = "A new API key")
record ApiKeyRequest(
        @Schema(description = "A label for humans: letters, digits, spaces and . _ : / @ -",
                example = "ci-deploy") @NotBlank @Size(max = 100) @Pattern(regexp = NAME,
                        message = "may hold letters, digits, spaces and . _ : / @ - only") @Nullable String name,
        @Schema(description = "The tenant its holder acts for", example = "team-a") @NotBlank @Pattern(
                regexp = Owner.TENANT_PATTERN,
                message = "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit") @Nullable String tenant,
        @ArraySchema(schema = @Schema(allowableValues = {
                "batches:read", "batches:write", "batches:cancel", "batches:delete", "subscriptions:manage",
                "workers:run", "metrics:read", "admin" }),
                arraySchema = @Schema(description = "What its holder may do; admin includes every other scope",
                        example = "[\"batches:read\", \"batches:write\"]")) @NotEmpty @Size(
                                max = 8) @Nullable List<String> scopes,
        @Schema(description = "When it stops working; omit for never",
                example = "2027-06-30T00:00:00Z") @Nullable Instant expiresAt){

    static final String NAME = "[\\p{L}\\p{N} ._:/@-]*";

}
