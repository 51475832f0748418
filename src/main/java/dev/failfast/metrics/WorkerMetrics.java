package dev.failfast.metrics;

import dev.failfast.worker.RemoteAttempts;
import dev.failfast.worker.WorkerObserver;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;

/**
 * Remote workers' meters (docs/metrics.md): workers connected, attempts waiting for a
 * worker by job type, how long claims waited, how fast a cancel reaches a worker.
 */
public final class WorkerMetrics implements WorkerObserver {

    private static final String PREFIX = "failfast.";

    private final MeterRegistry registry;

    private final Timer claimLatency;

    private final Timer cancelLatency;

    private final MultiGauge waiting;

    public WorkerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.claimLatency = Timer.builder(PREFIX + "remote.claim.latency")
            .description("How long remote attempts waited for a worker to claim them")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(10))
            .register(registry);
        this.cancelLatency = Timer.builder(PREFIX + "remote.cancel.latency")
            .description("From a remote attempt's cancel to the cancel written to its worker's stream")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
        this.waiting = MultiGauge.builder(PREFIX + "remote.jobs.waiting")
            .description("Remote attempts waiting for a worker, by job type")
            .register(registry);
    }

    /** Watches the registry's live workers, and its waiting attempts at each refresh. */
    public void watch(RemoteAttempts attempts) {
        Gauge.builder(PREFIX + "workers.connected", attempts, RemoteAttempts::liveWorkers)
            .description("Remote workers registered and within their lease")
            .register(registry);
        refresh(attempts);
    }

    /**
     * Rewrites the waiting gauge from the registry: one series per job type with attempts
     * waiting, so a type no longer waited for does not linger.
     */
    public void refresh(RemoteAttempts attempts) {
        List<MultiGauge.Row<?>> rows = attempts.waitingByName()
            .entrySet()
            .stream().<MultiGauge
                    .Row<?>>map(e -> MultiGauge.Row.of(Tags.of("type", "remote:" + e.getKey()), e.getValue()))
            .toList();
        waiting.register(rows, true);
    }

    @Override
    public void claimed(String name, Duration waited) {
        claimLatency.record(waited);
    }

    @Override
    public void cancelSent(Duration latency) {
        cancelLatency.record(latency);
    }

}
