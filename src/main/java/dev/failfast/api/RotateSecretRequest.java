package dev.failfast.api;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Size;
import org.jspecify.annotations.Nullable;

/** A subscription's next signing secret: the client's, or one the service makes. */
@Schema(description = "The next signing secret; without it the service generates one and shows it once")
record RotateSecretRequest(@Schema(description = "whsec_ and the base64 of 24 to 64 random bytes; write-only",
        accessMode = Schema.AccessMode.WRITE_ONLY) @Size(max = 200) @Nullable String secret) {

    /** Without the secret. */
    @Override
    public String toString() {
        return "RotateSecretRequest[secret=" + (secret == null ? "none" : "***") + "]";
    }

}
