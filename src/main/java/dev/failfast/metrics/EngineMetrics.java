package dev.failfast.metrics;

import dev.failfast.engine.AdmissionLimit;
import dev.failfast.engine.BatchEngine;
import dev.failfast.settings.FailfastProperties;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.stereotype.Component;

/** Gauges over the engine's own counts and limits, and its admission rejections. */
@Component
class EngineMetrics implements MeterBinder {

    private final BatchEngine engine;

    private final FailfastProperties properties;

    EngineMetrics(BatchEngine engine, FailfastProperties properties) {
        this.engine = engine;
        this.properties = properties;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        String prefix = BatchMetrics.PREFIX;
        Gauge.builder(prefix + "batches.active", engine, BatchEngine::activeBatches)
            .description("Batches not yet terminal")
            .register(registry);
        Gauge.builder(prefix + "jobs.pending", engine, BatchEngine::pendingJobs)
            .description("Jobs of active batches that have not started")
            .register(registry);
        Gauge.builder(prefix + "jobs.pending.limit", properties, p -> p.limits().maxPendingJobs())
            .description("failfast.limits.max-pending-jobs: above it batches are refused with 429")
            .register(registry);
        Gauge.builder(prefix + "attempts.in.flight", engine, BatchEngine::attemptsInFlight)
            .description("Attempts handed to the job executor and not yet finished")
            .register(registry);
        Gauge.builder(prefix + "attempts.capacity", properties, p -> p.executor().dispatchCapacity())
            .description("Attempts the engine hands to the executor at most: pool size plus queue capacity")
            .register(registry);
        Gauge.builder(prefix + "executor.abandoned.threads", engine, BatchEngine::abandonedThreads)
            .description("Job threads still running an attempt abandoned because it ignored its cancellation")
            .register(registry);
        Gauge.builder(prefix + "executor.abandoned.threads.limit", properties, p -> p.executor().maxAbandoned())
            .description("failfast.executor.max-abandoned: at it batches are refused with 429")
            .register(registry);
        FunctionCounter.builder(prefix + "cluster.listener.reconnects", engine, BatchEngine::listenerReconnects)
            .description("Times the cluster notice listener found its connection dead and opened a new one")
            .register(registry);
        for (AdmissionLimit limit : AdmissionLimit.values()) {
            // One series per limit, a fixed set: no tenant tag, whose values clients
            // choose.
            FunctionCounter.builder(prefix + "admission.rejections", engine, e -> e.admissionRejections(limit))
                .description("Batches refused with 429, by the limit they would have exceeded")
                .tag("limit", limit.wireName())
                .register(registry);
        }
    }

}
