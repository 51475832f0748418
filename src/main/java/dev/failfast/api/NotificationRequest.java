package dev.failfast.api;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/** A webhook to tell of a batch's events: a batch's own target, or a subscription. */
@Schema(description = "A webhook told of batch events, signed the Standard Webhooks way (docs/notifications.md)")
record NotificationRequest(
        @Schema(description = "An absolute http or https URL, under the http job's SSRF policy",
                example = "https://hooks.example.com/failfast") @NotNull @Size(max = 2048) @Pattern(
                        regexp = BatchRequest.NO_NUL, message = BatchRequest.NO_NUL_MESSAGE) String url,

        @ArraySchema(schema = @Schema(allowableValues = {
                "batch.failed", "batch.succeeded", "batch.cancelled", "batch.finished", "batch.first_failure" }),
                minItems = 1,
                arraySchema = @Schema(
                        description = "The events sent there: batch.finished is any end; "
                                + "batch.first_failure the first job that fails in a run, under any failure policy",
                        example = "[\"batch.failed\", \"batch.first_failure\"]")) @NotEmpty @Size(
                                min = 1,
                                max = 5) List<@NotNull @Pattern(regexp = EVENT,
                                        message = "must be one of " + EVENTS) String> events,

        @Schema(description = "The signing secret for this target: whsec_ and the base64 of 24 to 64 random bytes. "
                + "Write-only: never shown. Without it, the tenant's or the service's default signs (a "
                + "subscription without one gets a new secret, shown once)", accessMode = Schema.AccessMode.WRITE_ONLY,
                example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") @Size(max = 200) @Nullable String secret,

        @Schema(description = "More request headers, as an http job's: a string, or {\"secretRef\": \"<name>\"} "
                + "with an optional prefix and suffix for a secret of the operator's", implementation = Object.class,
                example = "{\"Authorization\": {\"secretRef\": \"hooks-token\", \"prefix\": \"Bearer \"}}") @Nullable ObjectNode headers){

    static final String EVENT = "batch\\.(failed|succeeded|cancelled|finished|first_failure)";

    static final String EVENTS = "batch.failed, batch.succeeded, batch.cancelled, batch.finished, batch.first_failure";

    /** Without the secret, nor the URL, which may carry a token. */
    @Override
    public String toString() {
        return "NotificationRequest[events=" + events + ", secret=" + (secret == null ? "none" : "***") + ", headers="
                + (headers == null ? "[]" : headers.propertyNames()) + "]";
    }

}
