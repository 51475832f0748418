package dev.failfast.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.failfast.batch.NotificationEvent;
import dev.failfast.job.WebhookPost;
import dev.failfast.store.Subscription;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * A tenant's standing subscription, as shown: its secret only once, when the service made
 * it.
 */
@Schema(description = "A standing subscription: every batch of the tenant notifies it")
record SubscriptionResponse(UUID id, @Schema(description = "The URL, its query and credentials masked") String url,
        @Schema(example = "[\"batch.failed\"]") List<String> events,
        @Schema(description = "Extra headers, sensitive values masked",
                implementation = Object.class) ObjectNode headers,
        Instant createdAt, @Schema(example = "key:0193c3b0-5d7e-7c4a-9f1e-3b2a1c0d9e8f") String createdBy,
        @Schema(description = "Until when the secret replaced at the last rotation still signs (deliveries "
                + "carry both signatures); null when it no longer does") @Nullable Instant previousSecretExpiresAt,
        @Schema(description = "The signing secret the service generated: shown in this response only, never again. "
                + "Absent when the client chose the secret, and in every later response",
                example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw") @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String secret) {

    static SubscriptionResponse of(Subscription s, Instant now) {
        return withSecret(s, now, null);
    }

    static SubscriptionResponse withSecret(Subscription s, Instant now, @Nullable String generated) {
        Instant previous = s.previousSecretExpiresAt() != null && now.isBefore(s.previousSecretExpiresAt())
                ? s.previousSecretExpiresAt() : null;
        return new SubscriptionResponse(s.id(), WebhookPost.redactUrl(s.url()),
                s.events().stream().map(NotificationEvent::value).sorted().toList(),
                WebhookPost.redactHeaders(s.headers()), s.createdAt(), s.createdBy(), previous, generated);
    }

    /** Without the secret, nor the URL, which may carry a token. */
    @Override
    public String toString() {
        return "SubscriptionResponse[id=" + id + ", events=" + events + ", secret=" + (secret == null ? "none" : "***")
                + "]";
    }

}
