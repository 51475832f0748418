package dev.failfast.notify;

import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.Notification;
import dev.failfast.store.NotificationStore;
import dev.failfast.store.Subscription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Which secrets sign a notification: its batch target's own; else its subscription's
 * (both during a rotation); else its tenant's default
 * ({@code failfast.notifications.tenants.<t>.signing-secret}); else the service's
 * ({@code signing-secret-file}, read at each delivery, or {@code signing-secret}).
 * Configured secrets that are not {@code whsec_} secrets are refused at startup, by the
 * settings' validation.
 */
public final class SigningSecrets {

    private final NotificationStore store;

    private final @Nullable String serviceSecret;

    private final @Nullable Path serviceSecretFile;

    private final Map<String, FailfastProperties.NotificationTenant> tenants;

    public SigningSecrets(NotificationStore store, FailfastProperties properties) {
        FailfastProperties.Notifications settings = properties.notifications();
        this.store = store;
        this.serviceSecret = settings.signingSecret();
        this.serviceSecretFile = settings.signingSecretFile();
        this.tenants = settings.tenants();
    }

    /**
     * Whether a target of {@code tenant}'s that names no secret would be signed: the
     * tenant or the service has a default.
     */
    public boolean hasDefault(String tenant) {
        return tenantSecret(tenant) != null || serviceSecret != null || serviceSecretFile != null;
    }

    /**
     * The secrets that sign {@code notification} at {@code now}, the current one first.
     * @throws IllegalStateException with a message for the operator when none is
     * configured or the secret file cannot be read
     */
    List<String> of(Notification notification, Instant now) {
        if (notification.secret() != null) {
            return List.of(notification.secret());
        }
        if (notification.subscriptionId() != null) {
            Optional<Subscription> subscription = store.findSubscription(notification.subscriptionId());
            if (subscription.isPresent()) {
                return subscription.get().signingSecrets(now);
            }
            throw new IllegalStateException("its subscription was deleted");
        }
        String tenant = tenantSecret(notification.tenant());
        if (tenant != null) {
            return List.of(tenant);
        }
        if (serviceSecretFile != null) {
            try {
                String secret = Files.readString(serviceSecretFile, StandardCharsets.UTF_8).strip();
                if (!WebhookSignatures.isValidSecret(secret)) {
                    throw new IllegalStateException(
                            "failfast.notifications.signing-secret-file does not hold a " + "whsec_ secret");
                }
                return List.of(secret);
            }
            catch (IOException e) {
                throw new IllegalStateException("failfast.notifications.signing-secret-file cannot be read");
            }
        }
        if (serviceSecret != null) {
            return List.of(serviceSecret);
        }
        throw new IllegalStateException("no signing secret is configured (failfast.notifications.signing-secret)");
    }

    private @Nullable String tenantSecret(String tenant) {
        FailfastProperties.NotificationTenant settings = tenants.get(tenant);
        return settings == null ? null : settings.signingSecret();
    }

}
