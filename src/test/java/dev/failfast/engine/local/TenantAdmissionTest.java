package dev.failfast.engine.local;

import static dev.failfast.engine.local.LocalEngine.batch;
import static dev.failfast.engine.local.LocalEngine.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.Caller;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.JobSpec;
import dev.failfast.engine.AdmissionLimit;
import dev.failfast.engine.AdmissionRejectedException;
import dev.failfast.job.JobContext;
import dev.failfast.testing.ManualScheduler;
import dev.failfast.testing.RawParamsHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

/**
 * Each tenant's quotas at admission, with two callers of different tenants: a tenant over
 * its pending jobs or its batches per minute is refused with the limit named and a
 * sensible retry delay, and the other tenant is not.
 */
class TenantAdmissionTest {

    static final Caller ACME = new Caller("acme", "key:acme", false);

    static final Caller GLOBEX = new Caller("globex", "key:globex", false);

    /** Waits until released; returns at once when the test does not hold it. */
    static final class Held extends RawParamsHandler {

        final CountDownLatch release = new CountDownLatch(1);

        Held() {
            super("held");
        }

        @Override
        public @Nullable Object execute(JobContext<ObjectNode> context) throws InterruptedException {
            release.await();
            return null;
        }

    }

    /** Does nothing. */
    static final class Noop extends RawParamsHandler {

        Noop() {
            super("noop");
        }

        @Override
        public @Nullable Object execute(JobContext<ObjectNode> context) {
            return null;
        }

    }

    @Test
    void aTenantOverItsPendingJobsIs429NamingItsLimitWhileAnotherTenantIsAdmitted() {
        var held = new Held();
        try (var local = new LocalEngine(Map.of("limits.max-jobs-per-batch", "5", "limits.retry-after", "7s",
                "tenants.overrides.acme.max-pending-jobs", "5"), List.of(held))) {
            // One job runs, four wait: four of acme's five.
            UUID waiting = local.engine.submit(ACME, batch(FailurePolicy.CONTINUE, 1, jobs("held", 5))).id();
            await().atMost(Duration.ofSeconds(10))
                .until(() -> local.engine.find(ACME, waiting).counts().running() == 1);

            var refused = catchThrowableOfType(AdmissionRejectedException.class,
                    () -> local.engine.submit(ACME, batch(FailurePolicy.CONTINUE, 2, jobs("held", 2))));
            UUID other = local.engine.submit(GLOBEX, batch(FailurePolicy.CONTINUE, 1, jobs("held", 5))).id();

            assertThat(refused.limit()).isEqualTo(AdmissionLimit.TENANT_PENDING_JOBS);
            assertThat(refused.tenant()).isEqualTo("acme");
            assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(7));
            assertThat(refused.getMessage()).contains("acme", "4 jobs waiting", "limit of 5");
            assertThat(local.engine.admissionRejections(AdmissionLimit.TENANT_PENDING_JOBS)).isOne();
            assertThat(local.store.findBatch(other)).as("the other tenant's batch").isPresent();

            held.release.countDown();
            await().atMost(Duration.ofSeconds(10))
                .until(() -> local.engine.find(ACME, waiting).state() == BatchState.SUCCEEDED);
            UUID admitted = local.engine.submit(ACME, batch(FailurePolicy.CONTINUE, 5, jobs("held", 5))).id();
            assertThat(local.store.findBatch(admitted)).as("admitted once its jobs started").isPresent();
        }
    }

    @Test
    void aTenantOverItsBatchesPerMinuteIs429UntilItsBucketRefills() {
        var scheduler = new ManualScheduler();
        try (var local = LocalEngine.manual(
                Map.of("tenants.defaults.batches-per-minute", "2", "tenants.overrides.globex.batches-per-minute", "3"),
                List.of(new Noop()), scheduler)) {
            local.engine.submit(ACME, oneJob());
            local.engine.submit(ACME, oneJob());

            var refused = catchThrowableOfType(AdmissionRejectedException.class,
                    () -> local.engine.submit(ACME, oneJob()));

            assertThat(refused.limit()).isEqualTo(AdmissionLimit.TENANT_BATCHES_PER_MINUTE);
            assertThat(refused.tenant()).isEqualTo("acme");
            assertThat(refused.retryAfter()).as("two a minute: the next token in 30 s")
                .isEqualTo(Duration.ofSeconds(30));
            assertThat(refused.getMessage()).contains("acme", "2 batches per minute");
            for (int i = 0; i < 3; i++) {
                local.engine.submit(GLOBEX, oneJob()); // its own bucket, of its
                                                       // override's size
            }

            scheduler.advance(Duration.ofMillis(29_500));
            var stillRefused = catchThrowableOfType(AdmissionRejectedException.class,
                    () -> local.engine.submit(ACME, oneJob()));
            assertThat(stillRefused.retryAfter()).as("half a second, rounded up").isEqualTo(Duration.ofSeconds(1));

            scheduler.advance(Duration.ofMillis(500));
            local.engine.submit(ACME, oneJob());
            assertThat(local.engine.admissionRejections(AdmissionLimit.TENANT_BATCHES_PER_MINUTE)).isEqualTo(2);
        }
    }

    @Test
    void aBatchRefusedForPendingJobsTakesNoneOfItsTenantsBatchesPerMinute() {
        var held = new Held();
        try (var local = new LocalEngine(Map.of("limits.max-jobs-per-batch", "2", "limits.max-pending-jobs", "2",
                "tenants.defaults.batches-per-minute", "2"), List.of(held))) {
            UUID waiting = local.engine.submit(ACME, batch(FailurePolicy.CONTINUE, 1, jobs("held", 2))).id();
            await().atMost(Duration.ofSeconds(10))
                .until(() -> local.engine.find(ACME, waiting).counts().running() == 1);

            var refused = catchThrowableOfType(AdmissionRejectedException.class,
                    () -> local.engine.submit(GLOBEX, batch(FailurePolicy.CONTINUE, 2, jobs("held", 2))));
            assertThat(refused.limit()).as("the service's limit").isEqualTo(AdmissionLimit.PENDING_JOBS);
            assertThat(refused.tenant()).isNull();

            held.release.countDown();
            await().atMost(Duration.ofSeconds(10))
                .until(() -> local.engine.find(ACME, waiting).state() == BatchState.SUCCEEDED);
            // Both of globex's tokens are left: one job each, so the pending limit cannot
            // refuse them however soon their jobs start.
            local.engine.submit(GLOBEX, batch(FailurePolicy.CONTINUE, 1, jobs("held", 1)));
            local.engine.submit(GLOBEX, batch(FailurePolicy.CONTINUE, 1, jobs("held", 1)));
        }
    }

    private static BatchSpec oneJob() {
        return batch(FailurePolicy.FAIL_FAST, 1, job("j", "noop", null, 1));
    }

    private static JobSpec[] jobs(String type, int count) {
        return IntStream.range(0, count).mapToObj(i -> job("j" + i, type, null, 1)).toArray(JobSpec[]::new);
    }

}
