package dev.failfast.api;

import dev.failfast.engine.BatchEventFeed;
import dev.failfast.engine.FeedListener;
import dev.failfast.engine.local.LocalEventFeed;
import dev.failfast.job.JobHandlers;
import dev.failfast.notify.NotificationTargetCheck;
import dev.failfast.security.SecurityConfiguration;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.BatchStore;
import dev.failfast.store.InMemoryBatchStore;
import dev.failfast.testing.TestKeys;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Clock;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.MockMvcBuilderCustomizer;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.web.servlet.request.MockMvcRequestBuilders;

/**
 * The web layer alone: {@link BatchController}, {@link ProblemHandler} and
 * {@link RequestSizeLimitFilter} on MockMvc behind the real security filter chain (every
 * request sends the tests' admin key, unless a test replaces it), with a
 * {@link FakeBatchEngine} over an in-memory store instead of the engine, and small limits
 * (1 KB bodies, 50 per page) so tests need no large data. Tests of the whole service are
 * annotated {@code @FailfastServerTest} instead.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@WebMvcTest(controllers = BatchController.class,
        properties = { "failfast.limits.max-request-size=1KB", "failfast.limits.max-page-size=50",
                "failfast.store.type=memory" })
@Import({ BatchSpecMapper.class, RequestFingerprint.class, BatchEventStreams.class, StreamSlots.class,
        SecurityConfiguration.class, ApiSliceTest.Fakes.class })
@interface ApiSliceTest {

    /**
     * The settings (a slice scans no configuration properties) and the parts behind the
     * web layer, replaced.
     */
    @TestConfiguration(proxyBeanMethods = false)
    @EnableConfigurationProperties(FailfastProperties.class)
    class Fakes {

        @Bean
        Clock clock() {
            return Clock.systemUTC();
        }

        /** Requests carry the admin key, as clients send theirs. */
        @Bean
        MockMvcBuilderCustomizer authenticatedRequests() {
            return builder -> builder
                .defaultRequest(MockMvcRequestBuilders.get("/").header("Authorization", "Bearer " + TestKeys.ADMIN));
        }

        /** No job types: params are shown as they are stored. */
        @Bean
        JobHandlers jobHandlers() {
            return new JobHandlers(List.of());
        }

        /** Every notification target passes: the slice has no SSRF guard to judge one. */
        @Bean
        NotificationTargetCheck notificationTargetCheck() {
            return (url, headers, secret, tenant) -> List.of();
        }

        @Bean
        InMemoryBatchStore batchStore() {
            return new InMemoryBatchStore();
        }

        @Bean
        FakeBatchEngine batchEngine(BatchStore store) {
            return new FakeBatchEngine(store);
        }

        /** The single instance's feed, over the in-memory store. */
        @Bean
        BatchEventFeed batchEventFeed(BatchStore store, ObjectProvider<FeedListener> listeners,
                FailfastProperties properties, Clock clock) {
            return new LocalEventFeed(store, listeners, properties, clock);
        }

    }

}
