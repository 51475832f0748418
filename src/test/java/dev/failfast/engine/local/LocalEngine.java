package dev.failfast.engine.local;

import static dev.failfast.batch.TestBatches.CALLER;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.engine.AttemptRunner;
import dev.failfast.engine.BatchEvents;
import dev.failfast.engine.Deferrals;
import dev.failfast.engine.EngineFrontDoor;
import dev.failfast.job.JobHandler;
import dev.failfast.job.JobHandlers;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.InMemoryBatchStore;
import dev.failfast.store.NoInstanceLease;
import dev.failfast.testing.ManualScheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.core.task.TaskExecutor;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A single-instance engine without Spring: the front door and the local runner, with an
 * in-memory store, on a real executor and timer scheduler
 * ({@link #LocalEngine(Map, List)}), or on the caller's thread with a
 * {@link ManualScheduler} whose clock the test moves ({@link #manual}).
 */
final class LocalEngine implements AutoCloseable {

    final FailfastProperties properties;

    final InMemoryBatchStore store = new InMemoryBatchStore();

    final EngineFrontDoor engine;

    final LocalRunner runner;

    private final Runnable shutdown;

    /**
     * @param settings {@code failfast.*} properties, without the prefix
     */
    LocalEngine(Map<String, String> settings, List<JobHandler<?>> handlers) {
        this(properties(settings), handlers, null, null, Clock.systemUTC());
    }

    /**
     * On a real executor and timer scheduler, reading the time from {@code clock}: a
     * {@code SettableClock} makes every time the engine records the test's.
     */
    LocalEngine(Map<String, String> settings, List<JobHandler<?>> handlers, Clock clock) {
        this(properties(settings), handlers, null, null, clock);
    }

    /**
     * Jobs run on the thread that submits them or that advances the scheduler, timers
     * when the test advances {@code scheduler}: every step of a rule is the test's, and
     * nothing needs waiting for.
     */
    static LocalEngine manual(Map<String, String> settings, List<JobHandler<?>> handlers, ManualScheduler scheduler) {
        return new LocalEngine(properties(settings), handlers, new SyncTaskExecutor(), scheduler, scheduler.getClock());
    }

    private LocalEngine(FailfastProperties properties, List<JobHandler<?>> handlers,
            @Nullable TaskExecutor manualExecutor, @Nullable ManualScheduler manualScheduler, Clock realClock) {
        this.properties = properties;
        TaskExecutor executor;
        TaskScheduler scheduler;
        Clock clock;
        if (manualScheduler != null && manualExecutor != null) {
            executor = manualExecutor;
            scheduler = manualScheduler;
            clock = manualScheduler.getClock();
            this.shutdown = () -> {
            };
        }
        else {
            var pool = new ThreadPoolTaskExecutor();
            var executorSettings = properties.executor();
            pool.setCorePoolSize(executorSettings.poolSize() + executorSettings.maxAbandoned());
            pool.setMaxPoolSize(executorSettings.poolSize() + executorSettings.maxAbandoned());
            pool.setQueueCapacity(executorSettings.dispatchCapacity());
            pool.setThreadNamePrefix("test-job-");
            pool.initialize();
            var timers = new ThreadPoolTaskScheduler();
            timers.setClock(realClock);
            timers.setPoolSize(2);
            timers.setRemoveOnCancelPolicy(true);
            timers.initialize();
            executor = pool;
            scheduler = timers;
            clock = realClock;
            this.shutdown = () -> {
                pool.shutdown();
                timers.shutdown();
            };
        }
        var jobHandlers = new JobHandlers(handlers);
        var attempts = new AttemptRunner(jobHandlers, JsonMapper.shared(), 64 * 1024, Deferrals.of(properties));
        var events = new BatchEvents(List.of());
        this.runner = new LocalRunner(properties, store, new NoInstanceLease(), events, attempts, executor, scheduler,
                clock);
        this.engine = new EngineFrontDoor(properties, store, runner, events, jobHandlers, clock, event -> {
        });
        engine.start();
    }

    private static FailfastProperties properties(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>();
        // As the tests' application.yaml: the jobs of job() retry after 10 ms, below the
        // shipped floor.
        all.put("failfast.limits.min-retry-backoff", "10ms");
        settings.forEach((key, value) -> all.put("failfast." + key, value));
        return new Binder(new MapConfigurationPropertySource(all)).bindOrCreate("failfast", FailfastProperties.class);
    }

    Batch find(UUID id) {
        return engine.find(CALLER, id);
    }

    static BatchSpec batch(FailurePolicy policy, int maxParallelism, JobSpec... jobs) {
        return new BatchSpec("test", Map.of(), policy, 0, maxParallelism, null, List.of(jobs));
    }

    static JobSpec job(String id, String type, @Nullable Duration timeout, int maxAttempts) {
        var retry = maxAttempts == 1 ? RetryPolicy.NONE
                : new RetryPolicy(maxAttempts, Duration.ofMillis(10), 1.0, Duration.ofMillis(10));
        return new JobSpec(id, type, JsonNodeFactory.instance.objectNode(), timeout, retry);
    }

    @Override
    public void close() {
        engine.stop();
        shutdown.run();
    }

}
