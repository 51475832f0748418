package dev.failfast.bench;

import dev.failfast.FailfastApplication;
import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchStateConflictException;
import dev.failfast.batch.Caller;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.engine.BatchEngine;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Jobs per second through {@link BatchEngine} (submit a 10 000-job batch, wait until it is
 * terminal, delete it) against a raw {@link ThreadPoolExecutor} with as many threads running
 * 10 000 no-op tasks, queued all at once ({@code rawExecutor}) or at most {@code threads} at a
 * time like the engine's dispatcher ({@code rawExecutorBounded}). Each invocation counts as
 * 10 000 operations, so the score is jobs/s.
 *
 * <p>{@code engineNoop} uses a job type whose params parse to a constant; {@code engineSleepZero}
 * uses the built-in {@code sleep} type with {@code PT0S}, which also pays for binding and
 * validating its params on every attempt.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(DispatchBenchmark.JOBS)
public class DispatchBenchmark {

    static final int JOBS = 10_000;

    /** Who submits and deletes the batches: an ordinary caller of the default tenant, as an API key would be. */
    static final Caller CALLER = new Caller("default", "key:bench", false);

    /** Worker threads, for the engine's executor and for the raw pool alike. */
    @Param("16")
    int threads;

    private ConfigurableApplicationContext context;
    private BatchEngine engine;
    private TerminalBatches terminal;
    private ThreadPoolExecutor raw;
    private BatchSpec noopBatch;
    private BatchSpec sleepZeroBatch;

    @Setup(Level.Trial)
    public void start() {
        context = new SpringApplicationBuilder(FailfastApplication.class, BenchBeans.class)
                .web(WebApplicationType.NONE)
                // Arguments, not default properties: those would lose to the service's application.yaml.
                .run("--failfast.executor.pool-size=" + threads,
                        // Dispatch, not storage, is measured here; docs/benchmarks.md has the store's own figures.
                        "--failfast.store.type=memory",
                        // Dozens of batches a second: far above a tenant's default quota (600 a minute), which
                        // would refuse them after the first 600; admission is not what is measured.
                        "--failfast.tenants.defaults.batches-per-minute=1000000",
                        // Nothing calls the API here; a bootstrap key only keeps the service from generating one
                        // into ./data/admin-key at every start.
                        "--failfast.security.bootstrap-key=dispatch-benchmark-unused-bootstrap-key-0123456789",
                        "--spring.datasource.url=jdbc:h2:mem:dispatch-bench",
                        "--spring.main.banner-mode=off",
                        "--logging.level.root=WARN");
        engine = context.getBean(BatchEngine.class);
        terminal = context.getBean(TerminalBatches.class);
        raw = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>());
        raw.prestartAllCoreThreads();
        noopBatch = batch(NoopJobHandler.TYPE, JsonNodeFactory.instance.objectNode());
        sleepZeroBatch = batch("sleep", JsonNodeFactory.instance.objectNode().put("duration", "PT0S").put("steps", 1));
    }

    private BatchSpec batch(String type, ObjectNode params) {
        List<JobSpec> jobs = IntStream.range(0, JOBS)
                .mapToObj(i -> new JobSpec("j" + i, type, params.deepCopy(), null, RetryPolicy.NONE))
                .toList();
        return new BatchSpec("bench-" + type, Map.of(), FailurePolicy.FAIL_FAST, 0, threads, null, jobs);
    }

    @TearDown(Level.Trial)
    public void stop() {
        raw.shutdownNow();
        context.close();
    }

    @Benchmark
    public void engineNoop() {
        runToEnd(noopBatch);
    }

    @Benchmark
    public void engineSleepZero() {
        runToEnd(sleepZeroBatch);
    }

    @Benchmark
    public void rawExecutor() throws InterruptedException {
        var done = new CountDownLatch(JOBS);
        for (int i = 0; i < JOBS; i++) {
            raw.execute(done::countDown);
        }
        done.await();
    }

    /** The raw pool fed like the engine feeds its executor: never more than {@code threads} tasks in flight. */
    @Benchmark
    public void rawExecutorBounded() throws InterruptedException {
        var done = new CountDownLatch(JOBS);
        var slots = new Semaphore(threads);
        for (int i = 0; i < JOBS; i++) {
            slots.acquire();
            raw.execute(() -> {
                slots.release();
                done.countDown();
            });
        }
        done.await();
    }

    private void runToEnd(BatchSpec spec) {
        Batch batch = engine.submit(CALLER, spec);
        terminal.of(batch.id()).join();
        terminal.forget(batch.id());
        deleteOnceReleased(batch.id());
    }

    /**
     * Deletes a batch whose terminal event was seen. The engine publishes that event under the batch's lock
     * and only then, still under the lock, lets go of the batch's run; until it has, a delete is refused as
     * if the batch were active. The window is that of the publishing thread finishing its critical section,
     * so the delete is retried without sleeping; ten seconds of refusals mean something else is wrong.
     */
    private void deleteOnceReleased(UUID id) {
        long giveUpAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try {
                engine.delete(CALLER, id);
                return;
            }
            catch (BatchStateConflictException e) {
                if (System.nanoTime() - giveUpAt > 0) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
    }
}
