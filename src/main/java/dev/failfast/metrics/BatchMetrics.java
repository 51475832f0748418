package dev.failfast.metrics;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchEvent;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobState;
import dev.failfast.batch.StopReport;
import dev.failfast.engine.BatchEventListener;
import dev.failfast.job.JobHandlers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter.MeterProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.stereotype.Component;

/**
 * Turns batch events into meters: batches and jobs by outcome, durations, cancellations
 * by cause, propagation time, the work stops discarded and saved, retries, abandoned jobs
 * and the number of running jobs.
 *
 * <p>
 * Runs under the batch's lock, so it only bumps meters and keeps, per active batch, the
 * attempt number of each running job. That is what tells the two kinds of RUNNING event
 * apart: the first for an attempt is its start, a second one for the same attempt is a
 * failure that will be retried.
 */
@Component
class BatchMetrics implements BatchEventListener {

    static final String PREFIX = "failfast.";

    private final MeterProvider<Counter> batchesSubmitted;

    private final MeterProvider<Counter> batchesRedriven;

    private final MeterProvider<Counter> batchesFinished;

    private final MeterProvider<Timer> batchDuration;

    private final MeterProvider<Counter> jobsFinished;

    private final MeterProvider<Timer> jobDuration;

    private final MeterProvider<Counter> retriesByType;

    private final MeterProvider<Counter> abandonedByType;

    private final MeterProvider<Counter> cancellations;

    private final MeterProvider<Timer> propagation;

    private final MeterProvider<Counter> discardedJobSeconds;

    private final MeterProvider<Counter> savedJobSeconds;

    /**
     * Per-job meters by job type, looked up without building a meter id on every job
     * event.
     */
    private final Map<String, TypeMeters> byType = new ConcurrentHashMap<>();

    /**
     * Running jobs of each active batch: job id → attempt number. Each inner map is used
     * under its batch's lock.
     */
    private final Map<UUID, Map<String, Integer>> runningAttempts = new ConcurrentHashMap<>();

    private final AtomicLong runningJobs = new AtomicLong();

    private final JobHandlers handlers;

    BatchMetrics(MeterRegistry registry, JobHandlers handlers) {
        this.handlers = handlers;
        batchesSubmitted = Counter.builder(PREFIX + "batches.submitted")
            .description("Batches accepted")
            .withRegistry(registry);
        batchesRedriven = Counter.builder(PREFIX + "batches.redriven")
            .description("Redrives: terminal batches some of whose jobs a client ran again, as a new run")
            .withRegistry(registry);
        batchesFinished = Counter.builder(PREFIX + "batches.finished")
            .description("Batches that reached a terminal state, by that state")
            .withRegistry(registry);
        batchDuration = Timer.builder(PREFIX + "batch.duration")
            .description("Submission (or redrive) to terminal state, per run, by terminal state")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofHours(24))
            .withRegistry(registry);
        jobsFinished = Counter.builder(PREFIX + "jobs.finished")
            .description("Jobs that reached a terminal state, by job type and that state")
            .withRegistry(registry);
        jobDuration = Timer.builder(PREFIX + "job.duration")
            .description("First attempt's start to terminal state of jobs that ran, by job type and terminal state")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofHours(1))
            .withRegistry(registry);
        retriesByType = Counter.builder(PREFIX + "job.retries")
            .description("Failed attempts that will be retried, by job type")
            .withRegistry(registry);
        abandonedByType = Counter.builder(PREFIX + "jobs.abandoned")
            .description("Jobs that ignored cancellation or their timeout past the grace period, by job type")
            .withRegistry(registry);
        cancellations = Counter.builder(PREFIX + "cancellations")
            .description("Batches cancelled, by cause")
            .withRegistry(registry);
        propagation = Timer.builder(PREFIX + "cancellation.propagation")
            .description("Cancellation cause recorded to the last running job terminal, by cause")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(5))
            .withRegistry(registry);
        discardedJobSeconds = Counter.builder(PREFIX + "stop.discarded.job")
            .baseUnit("seconds")
            .description("Job-seconds of work cancelled stops threw away (running attempts' elapsed time), by cause")
            .withRegistry(registry);
        savedJobSeconds = Counter.builder(PREFIX + "stop.saved.job")
            .baseUnit("seconds")
            .description("Job-seconds of work cancelled stops saved (jobs never started times the mean duration of "
                    + "their batch's succeeded jobs), by cause")
            .withRegistry(registry);
        Gauge.builder(PREFIX + "jobs.running", runningJobs, AtomicLong::get)
            .description("Jobs in state RUNNING, including those waiting out a retry backoff")
            .register(registry);
        preRegister(handlers);
    }

    /**
     * Creates the series an alert or panel divides by or takes the rate of, so they read
     * 0 instead of being absent until the first such event.
     */
    private void preRegister(JobHandlers handlers) {
        batchesSubmitted.withTags();
        batchesRedriven.withTags();
        for (BatchState state : BatchState.values()) {
            if (state.isTerminal()) {
                batchesFinished.withTags("outcome", state.name());
            }
        }
        for (CauseType cause : CauseType.values()) {
            cancellations.withTags("cause", cause.name());
            discardedJobSeconds.withTags("cause", cause.name());
            savedJobSeconds.withTags("cause", cause.name());
        }
        for (String type : handlers.meteredTypes()) {
            TypeMeters meters = meters(type);
            for (JobState state : JobState.values()) {
                if (state.isTerminal()) {
                    meters.finished(state);
                }
            }
        }
    }

    private TypeMeters meters(String type) {
        return byType.computeIfAbsent(type, TypeMeters::new);
    }

    @Override
    public void onEvent(BatchEvent event) {
        switch (event) {
            case BatchEvent.Submitted ignored -> batchesSubmitted.withTags().increment();
            case BatchEvent.JobChanged(Batch batch, Job job) -> jobChanged(batch.id(), job);
            case BatchEvent.BatchChanged(Batch batch, BatchState previous) -> batchChanged(batch, previous);
        }
    }

    private void forgetRunning(UUID batchId, Job job) {
        Map<String, Integer> running = runningAttempts.get(batchId);
        if (running != null && running.remove(job.id()) != null) {
            runningJobs.decrementAndGet();
            if (running.isEmpty()) {
                // In cluster mode another replica may end the batch: forget it with its
                // last job here.
                runningAttempts.remove(batchId);
            }
        }
    }

    private void jobChanged(UUID batchId, Job job) {
        TypeMeters meters = meters(handlers.meteredType(job.spec().type()));
        if (job.state() == JobState.RUNNING) {
            Map<String, Integer> running = runningAttempts.computeIfAbsent(batchId, id -> new HashMap<>());
            Integer previous = running.put(job.id(), job.attempts());
            if (previous == null) {
                runningJobs.incrementAndGet();
            }
            else if (previous == job.attempts()) {
                meters.retries.increment();
            }
            return;
        }
        forgetRunning(batchId, job);
        if (!job.state().isTerminal()) {
            return; // PENDING again: put back after the process running it was lost, to
                    // run anew
        }
        meters.finished(job.state()).increment();
        if (job.startedAt() != null && job.finishedAt() != null) {
            meters.duration(job.state()).record(Duration.between(job.startedAt(), job.finishedAt()));
        }
        if (job.abandoned()) {
            meters.abandoned.increment();
        }
    }

    private void batchChanged(Batch batch, BatchState previous) {
        if (previous.isTerminal()) {
            batchesRedriven.withTags().increment(); // the one move out of a terminal
                                                    // state
            return;
        }
        CancellationCause cause = batch.cancellation();
        // A cause is recorded by the change that leaves QUEUED or RUNNING; later changes
        // leave CANCELLING.
        if (cause != null && (previous == BatchState.QUEUED || previous == BatchState.RUNNING)) {
            cancellations.withTags("cause", cause.cause().name()).increment();
        }
        if (!batch.state().isTerminal()) {
            return;
        }
        Map<String, Integer> running = runningAttempts.remove(batch.id());
        if (running != null && !running.isEmpty()) {
            runningJobs.addAndGet(-running.size());
        }
        String outcome = batch.state().name();
        batchesFinished.withTags("outcome", outcome).increment();
        Instant finishedAt = batch.finishedAt();
        if (finishedAt != null) {
            batchDuration.withTags("outcome", outcome).record(Duration.between(batch.runQueuedAt(), finishedAt));
        }
        if (cause != null && cause.completedAt() != null) {
            propagation.withTags("cause", cause.cause().name())
                .record(Duration.between(cause.requestedAt(), cause.completedAt()));
        }
        // Once per batch, when its stop completed: the replica that ended the batch
        // counts it.
        StopReport report = cause == null ? null : cause.report();
        if (cause != null && report != null) {
            String type = cause.cause().name();
            discardedJobSeconds.withTags("cause", type).increment(report.discardedJobSeconds());
            Double saved = report.savedJobSeconds();
            if (saved != null) {
                savedJobSeconds.withTags("cause", type).increment(saved);
            }
        }
    }

    /** The meters of one job type; outcome meters are created on first use. */
    private final class TypeMeters {

        private final String type;

        private final Counter retries;

        private final Counter abandoned;

        private final Map<JobState, Counter> finished = new ConcurrentHashMap<>();

        private final Map<JobState, Timer> duration = new ConcurrentHashMap<>();

        TypeMeters(String type) {
            this.type = type;
            this.retries = retriesByType.withTags("type", type);
            this.abandoned = abandonedByType.withTags("type", type);
        }

        Counter finished(JobState outcome) {
            return finished.computeIfAbsent(outcome, o -> jobsFinished.withTags("type", type, "outcome", o.name()));
        }

        Timer duration(JobState outcome) {
            return duration.computeIfAbsent(outcome, o -> jobDuration.withTags("type", type, "outcome", o.name()));
        }

    }

}
