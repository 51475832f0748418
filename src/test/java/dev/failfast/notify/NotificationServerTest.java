package dev.failfast.notify;

import dev.failfast.FailfastServerTest;
import dev.failfast.testing.GateJob;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

/**
 * {@link FailfastServerTest} with a service default signing secret ({@link #SECRET}), and
 * notification timings short enough for tests to see retries run out: backoff from 50ms
 * to 200ms, retries for 3s, a rotated secret signing for 5s more. One context for every
 * notification test class that needs one; each of those uses tenants of its own. Job type
 * {@code gate} ({@link GateJob}) is there too.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@FailfastServerTest
@TestPropertySource(properties = { "failfast.notifications.signing-secret=" + NotificationServerTest.SECRET,
        "failfast.notifications.initial-backoff=50ms", "failfast.notifications.max-backoff=200ms",
        "failfast.notifications.retry-for=3s", "failfast.notifications.poll-interval=200ms",
        "failfast.notifications.rotation-overlap=5s", "failfast.notifications.max-subscriptions-per-tenant=3",
        "failfast.jobs.http.secrets.hook-token.value=" + NotificationServerTest.HOOK_TOKEN,
        "failfast.jobs.http.secrets.hook-token.hosts=127.0.0.1",
        "failfast.jobs.http.secrets.hook-token.allow-plain-http=true",
        "failfast.jobs.http.secrets.hook-token.tenants=*" })
@Import(NotificationServerTest.Jobs.class)
@interface NotificationServerTest {

    /** The service's default signing secret. */
    String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    /** The value of the operator's secret {@code hook-token}, which headers may send. */
    String HOOK_TOKEN = "hook-token-value-5f2c9e";

    @TestConfiguration(proxyBeanMethods = false)
    class Jobs {

        @Bean
        GateJob gateJob() {
            return new GateJob();
        }

    }

}
