package dev.failfast.notify;

import static dev.failfast.batch.TestBatches.aBatch;
import static dev.failfast.batch.TestJobs.aJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failfast.batch.Batch;
import dev.failfast.batch.NotificationEvent;
import dev.failfast.batch.NotificationTarget;
import dev.failfast.batch.Owner;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.InMemoryNotificationStore;
import dev.failfast.store.Notification;
import dev.failfast.store.Subscription;
import dev.failfast.testing.SettableClock;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Which secret signs a notification: its target's own, else its subscription's (both
 * during a rotation), else its tenant's, else the service's.
 */
class SigningSecretsTest {

    static final String SERVICE = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    static final String TENANT = WebhookSignatures.newSecret();

    final SettableClock clock = new SettableClock();

    final InMemoryNotificationStore store = new InMemoryNotificationStore((batch, event, at) -> "{}", UUID::randomUUID,
            Duration.ofHours(1), clock);

    @Nullable UUID lastBatch;

    @Test
    void aTargetsOwnSecretWins() {
        String own = WebhookSignatures.newSecret();
        SigningSecrets secrets = secrets(Map.of("failfast.notifications.signing-secret", SERVICE,
                "failfast.notifications.tenants.acme.signing-secret", TENANT));

        assertThat(secrets.of(notificationOf("acme", own), clock.instant())).containsExactly(own);
    }

    @Test
    void theTenantsDefaultWinsOverTheServices() {
        SigningSecrets secrets = secrets(Map.of("failfast.notifications.signing-secret", SERVICE,
                "failfast.notifications.tenants.acme.signing-secret", TENANT));

        assertThat(secrets.of(notificationOf("acme", null), clock.instant())).containsExactly(TENANT);
        assertThat(secrets.of(notificationOf("other", null), clock.instant())).containsExactly(SERVICE);
        assertThat(secrets.hasDefault("other")).isTrue();
    }

    @Test
    void withoutADefaultNothingSignsAndATargetMustBringItsOwn() {
        SigningSecrets secrets = secrets(Map.of("failfast.notifications.tenants.acme.signing-secret", TENANT));

        assertThat(secrets.hasDefault("acme")).isTrue();
        assertThat(secrets.hasDefault("other")).isFalse();
        assertThatThrownBy(() -> secrets.of(notificationOf("other", null), clock.instant()))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("failfast.notifications.signing-secret");
    }

    @Test
    void aSubscriptionSignsWithItsSecretAndWithThePreviousOneDuringARotation() {
        String first = WebhookSignatures.newSecret();
        String second = WebhookSignatures.newSecret();
        var subscription = new Subscription(UUID.randomUUID(), "acme", URI.create("https://acme.example/hook"),
                EnumSet.of(NotificationEvent.BATCH_FAILED), JsonMapper.builder().build().createObjectNode(), first,
                null, null, clock.instant(), "key:test");
        store.createSubscription(subscription);
        SigningSecrets secrets = secrets(Map.of("failfast.notifications.signing-secret", SERVICE));
        store.record(failed("acme", null));
        Notification notification = store.findByBatch(lastBatch)
            .stream()
            .filter(n -> n.subscriptionId() != null)
            .findFirst()
            .orElseThrow();
        assertThat(secrets.of(notification, clock.instant())).containsExactly(first);

        Instant overlapEnds = clock.instant().plusSeconds(60);
        store.updateSubscription(subscription.rotated(second, overlapEnds));

        assertThat(secrets.of(notification, clock.instant())).containsExactly(second, first);
        assertThat(secrets.of(notification, overlapEnds)).containsExactly(second);
        store.deleteSubscription(subscription.id());
        assertThatThrownBy(() -> secrets.of(notification, overlapEnds)).isInstanceOf(IllegalStateException.class);
    }

    /** The notification of a batch's own target, with {@code own} as its secret. */
    private Notification notificationOf(String tenant, @Nullable String own) {
        store.record(failed(tenant, own));
        return store.findByBatch(lastBatch).getFirst();
    }

    private Batch failed(String tenant, @Nullable String own) {
        var target = new NotificationTarget(URI.create("https://" + tenant + ".example/hook"),
                EnumSet.of(NotificationEvent.BATCH_FAILED), own, JsonMapper.builder().build().createObjectNode());
        Batch batch = aBatch().owner(new Owner(tenant, "key:test"))
            .notifications(List.of(target))
            .withJobs(aJob("bad").failed())
            .failed()
            .build();
        lastBatch = batch.id();
        return batch;
    }

    private SigningSecrets secrets(Map<String, String> settings) {
        FailfastProperties properties = new Binder(new MapConfigurationPropertySource(settings))
            .bindOrCreate("failfast", FailfastProperties.class);
        return new SigningSecrets(store, properties);
    }

}
