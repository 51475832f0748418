package dev.failfast.config;

import com.fasterxml.uuid.Generators;
import com.fasterxml.uuid.impl.TimeBasedEpochGenerator;
import dev.failfast.job.WebhookPost;
import dev.failfast.notify.NotificationDelivery;
import dev.failfast.notify.NotificationPayloads;
import dev.failfast.notify.NotificationTargetCheck;
import dev.failfast.notify.SigningSecrets;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.BatchStore;
import dev.failfast.store.InMemoryNotificationStore;
import dev.failfast.store.JdbcNotificationStore;
import dev.failfast.store.NodeLease;
import dev.failfast.store.NotificationStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/**
 * Outcome notifications: the outbox the batch stores record into (in the batch store's
 * database, or in memory with the in-memory store), the payloads and signatures, and the
 * delivery worker, in either engine mode.
 */
@Configuration(proxyBeanMethods = false)
class NotificationConfiguration {

    @Bean
    @DependsOnDatabaseInitialization
    NotificationStore notificationStore(FailfastProperties properties, ObjectProvider<DataSource> dataSource,
            JsonMapper jsonMapper, Clock clock) {
        TimeBasedEpochGenerator ids = Generators.timeBasedEpochGenerator();
        var payloads = new NotificationPayloads(jsonMapper, properties);
        var retryFor = properties.notifications().retryFor();
        return switch (properties.store().type()) {
            case MEMORY -> new InMemoryNotificationStore(payloads, ids::generate, retryFor, clock);
            case JDBC ->
                new JdbcNotificationStore(dataSource.getObject(), jsonMapper, payloads, ids::generate, retryFor, clock);
        };
    }

    @Bean
    SigningSecrets signingSecrets(NotificationStore store, FailfastProperties properties) {
        return new SigningSecrets(store, properties);
    }

    @Bean
    NotificationTargetCheck notificationTargetCheck(WebhookPost post, SigningSecrets secrets) {
        return NotificationTargetCheck.of(post, secrets);
    }

    @Bean
    NotificationDelivery notificationDelivery(NotificationStore notifications, BatchStore batches, WebhookPost post,
            SigningSecrets secrets, Clock clock, FailfastProperties properties, MeterRegistry registry,
            ObjectProvider<NodeLease> nodeLease) {
        // A replica claims under its node's name; a single instance is the only claimer.
        NodeLease lease = nodeLease.getIfAvailable();
        return new NotificationDelivery(notifications, batches, post, secrets, clock, properties, registry,
                lease == null ? "single-instance" : lease.node(), lease == null);
    }

}
