package dev.failfast.engine.local;

import static dev.failfast.engine.local.LocalEngine.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.Caller;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.job.JobContext;
import dev.failfast.testing.RawParamsHandler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Dispatch on a single instance is fair across tenants first, then across a tenant's
 * batches: one tenant's huge backlog of big and small batches does not delay another
 * tenant's small batch, and no tenant runs more than its {@code max-running-jobs} at
 * once.
 */
class TenantFairnessTest {

    static final Caller A = new Caller("tenant-a", "key:a", false);

    static final Caller B = new Caller("tenant-b", "key:b", false);

    /**
     * Records each start with its tenant (the {@code tenant} param) and the jobs of each
     * tenant running at once; a job with {@code gated} waits for a permit of
     * {@link #gate}.
     */
    static final class Recording extends RawParamsHandler {

        final List<String> starts = new CopyOnWriteArrayList<>();

        final Semaphore gate = new Semaphore(0);

        final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();

        final Map<String, AtomicInteger> mostAtOnce = new ConcurrentHashMap<>();

        Recording() {
            super("recording");
        }

        @Override
        public @Nullable Object execute(JobContext<ObjectNode> context) throws InterruptedException {
            String tenant = context.params().path("tenant").asString();
            starts.add(tenant);
            int now = running.computeIfAbsent(tenant, t -> new AtomicInteger()).incrementAndGet();
            mostAtOnce.computeIfAbsent(tenant, t -> new AtomicInteger()).accumulateAndGet(now, Math::max);
            try {
                if (context.params().path("gated").asBoolean()) {
                    gate.acquire();
                }
                return null;
            }
            finally {
                running.get(tenant).decrementAndGet();
            }
        }

        int running(String tenant) {
            AtomicInteger count = running.get(tenant);
            return count == null ? 0 : count.get();
        }

        int mostAtOnce(String tenant) {
            AtomicInteger count = mostAtOnce.get(tenant);
            return count == null ? 0 : count.get();
        }

    }

    private final Recording handler = new Recording();

    @Test
    void aTenantsHugeBacklogDoesNotDelayAnotherTenantsSmallBatch() {
        int pool = 2;
        try (var local = new LocalEngine(Map.of("executor.pool-size", String.valueOf(pool),
                "tenants.defaults.batches-per-minute", "100000", "shutdown.drain-timeout", "0s"), List.of(handler))) {
            // Tenant A: a 20 000-job batch as wide as the pool, then a thousand small
            // batches, every job held until the test lets one end.
            local.engine.submit(A, spec(pool, jobs("tenant-a", 20_000, true)));
            for (int i = 0; i < 1_000; i++) {
                local.engine.submit(A, spec(5, jobs("tenant-a", 5, true)));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> handler.starts.size() == pool);

            UUID small = local.engine.submit(B, spec(5, jobs("tenant-b", 5, false))).id();
            // One of A's jobs ends at a time, until B's batch is done; without tenants,
            // B's
            // batch would wait its turn behind A's thousand batches.
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
                if (handler.gate.availablePermits() == 0) {
                    handler.gate.release();
                }
                return local.engine.find(B, small).state() == BatchState.SUCCEEDED;
            });

            List<String> starts = List.copyOf(handler.starts); // A's jobs go on starting
            List<String> afterSubmission = starts.subList(pool, starts.lastIndexOf("tenant-b") + 1);
            assertThat(afterSubmission).filteredOn("tenant-b"::equals).hasSize(5);
            assertThat(afterSubmission).filteredOn("tenant-a"::equals)
                .as("A's starts before B's last one started: at most one per thread")
                .hasSizeLessThanOrEqualTo(pool);
        }
    }

    @Test
    void noTenantRunsMoreThanItsMaxRunningJobsAndTheOthersUseTheRestOfThePool() {
        try (var local = new LocalEngine(Map.of("executor.pool-size", "8",
                "tenants.overrides.tenant-a.max-running-jobs", "3", "shutdown.drain-timeout", "0s"),
                List.of(handler))) {
            for (int i = 0; i < 4; i++) {
                local.engine.submit(A, spec(4, jobs("tenant-a", 6, true)));
            }
            UUID b = local.engine.submit(B, spec(8, jobs("tenant-b", 12, true))).id();

            await().atMost(Duration.ofSeconds(10))
                .until(() -> handler.running("tenant-a") == 3 && handler.running("tenant-b") == 5);
            await().during(Duration.ofMillis(200))
                .atMost(Duration.ofSeconds(2))
                .until(() -> handler.running("tenant-a") == 3 && handler.running("tenant-b") == 5);
            handler.gate.release(1_000);
            await().atMost(Duration.ofSeconds(20)).until(() -> local.engine.find(B, b).state() == BatchState.SUCCEEDED);
            await().atMost(Duration.ofSeconds(20)).until(() -> handler.starts.size() == 4 * 6 + 12);

            assertThat(handler.mostAtOnce("tenant-a")).as("tenant-a's max-running-jobs").isEqualTo(3);
            assertThat(handler.mostAtOnce("tenant-b")).as("the rest of the pool").isGreaterThanOrEqualTo(5);
        }
    }

    private static BatchSpec spec(int maxParallelism, List<JobSpec> jobs) {
        return batch(FailurePolicy.CONTINUE, maxParallelism, jobs.toArray(JobSpec[]::new));
    }

    private static List<JobSpec> jobs(String tenant, int count, boolean gated) {
        List<JobSpec> jobs = new ArrayList<>(count);
        IntStream.range(0, count).forEach(i -> {
            ObjectNode params = JsonNodeFactory.instance.objectNode().put("tenant", tenant).put("gated", gated);
            jobs.add(new JobSpec("j" + i, "recording", params, null, RetryPolicy.NONE));
        });
        return jobs;
    }

}
