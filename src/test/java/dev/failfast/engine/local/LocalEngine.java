package dev.failfast.engine.local;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.engine.AttemptRunner;
import dev.failfast.engine.BatchEvents;
import dev.failfast.engine.EngineFrontDoor;
import dev.failfast.job.JobHandler;
import dev.failfast.job.JobHandlers;
import dev.failfast.store.InMemoryBatchStore;
import dev.failfast.store.NoInstanceLease;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.scheduling.concurrent.ThreadPoolTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * A single-instance engine without Spring: the front door and the local runner on a real executor
 * and timer scheduler, with an in-memory store. For the engine's rules, on the real threads.
 */
final class LocalEngine implements AutoCloseable {

    final FailfastProperties properties;
    final InMemoryBatchStore store = new InMemoryBatchStore();
    final EngineFrontDoor engine;
    final LocalRunner runner;
    private final ThreadPoolTaskExecutor executor = new ThreadPoolTaskExecutor();
    private final ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();

    /** @param settings {@code failfast.*} properties, without the prefix */
    LocalEngine(Map<String, String> settings, List<JobHandler<?>> handlers) {
        Map<String, String> all = new HashMap<>();
        settings.forEach((key, value) -> all.put("failfast." + key, value));
        this.properties = new Binder(new MapConfigurationPropertySource(all)).bindOrCreate("failfast",
                FailfastProperties.class);
        var executorSettings = properties.executor();
        executor.setCorePoolSize(executorSettings.poolSize() + executorSettings.maxAbandoned());
        executor.setMaxPoolSize(executorSettings.poolSize() + executorSettings.maxAbandoned());
        executor.setQueueCapacity(executorSettings.dispatchCapacity());
        executor.setThreadNamePrefix("test-job-");
        executor.initialize();
        scheduler.setPoolSize(2);
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.initialize();
        var jobHandlers = new JobHandlers(handlers);
        var attempts = new AttemptRunner(jobHandlers, JsonMapper.shared(), 64 * 1024);
        var events = new BatchEvents(List.of());
        Clock clock = Clock.systemUTC();
        this.runner = new LocalRunner(properties, store, new NoInstanceLease(), events, attempts, executor, scheduler,
                clock);
        this.engine = new EngineFrontDoor(properties, store, runner, events, jobHandlers, clock, event -> {});
        engine.start();
    }

    Batch find(UUID id) {
        return engine.find(id);
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
        executor.shutdown();
        scheduler.shutdown();
    }
}
