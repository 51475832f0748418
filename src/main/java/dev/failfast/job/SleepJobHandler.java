package dev.failfast.job;

import dev.failfast.batch.JobError;
import dev.failfast.batch.JobSpec;
import dev.failfast.settings.FailfastProperties;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code sleep}: the seeds' task loop. Works for {@code duration} in {@code steps} equal
 * steps, checking for cancellation before each; can be told to fail, to fail only its
 * first attempts, or to ignore cancellation (a stuck job). A simulator: registered only
 * with {@code failfast.jobs.sleep.enabled} (on by default, off in the Helm chart), its
 * duration capped by {@code max-duration}, {@code ignoreCancel} refused unless
 * {@code allow-ignore-cancel}.
 */
@Component
@ConditionalOnBooleanProperty(name = "failfast.jobs.sleep.enabled", matchIfMissing = true)
class SleepJobHandler implements JobHandler<SleepJobHandler.Params> {

    private final JobParamsBinder binder;

    private final FailfastProperties.Sleep settings;

    SleepJobHandler(JobParamsBinder binder, FailfastProperties properties) {
        this.binder = binder;
        this.settings = properties.jobs().sleep();
    }

    /**
     * @param duration how long the job works
     * @param steps cancellation checkpoints (default 10)
     * @param failAfter fail once this much has elapsed (capped at {@code duration})
     * @param failMessage the failure's message
     * @param failAttempts fail only the first N attempts, then succeed; without
     * {@code failAfter} those attempts fail at once
     * @param ignoreCancel keep working through cancellation and interrupts
     */
    record Params(
            @NotNull @DurationMin(nanos = 0, message = NEGATIVE) @DurationMax(days = JobSpec.MAX_DURATION_DAYS,
                    message = TOO_LONG) Duration duration,
            @Nullable @Min(1) @Max(100_000) Integer steps,
            @Nullable @DurationMin(nanos = 0, message = NEGATIVE) Duration failAfter, @Nullable String failMessage,
            @Nullable @Min(0) Integer failAttempts, @Nullable Boolean ignoreCancel) {

        static final String NEGATIVE = "must not be negative";
        static final String TOO_LONG = "must be at most " + JobSpec.MAX_DURATION_DAYS + " days";

        int stepCount() {
            return steps == null ? 10 : steps;
        }

        /** Elapsed time at which this attempt fails, or null if it succeeds. */
        @Nullable Duration failureAt(int attempt) {
            boolean failsThisAttempt = failAttempts == null ? failAfter != null : attempt <= failAttempts;
            if (!failsThisAttempt) {
                return null;
            }
            Duration at = failAfter == null ? Duration.ZERO : failAfter;
            return at.compareTo(duration) > 0 ? duration : at;
        }
    }

    @Override
    public String type() {
        return "sleep";
    }

    @Override
    public Params parseParams(ObjectNode params, String tenant) {
        Params parsed = binder.bind(params, Params.class);
        List<InvalidJobParamsException.ParamError> errors = new ArrayList<>();
        if (parsed.duration().compareTo(settings.maxDuration()) > 0) {
            errors.add(new InvalidJobParamsException.ParamError("duration",
                    "must be at most " + settings.maxDuration() + " (failfast.jobs.sleep.max-duration)"));
        }
        if (Boolean.TRUE.equals(parsed.ignoreCancel()) && !settings.allowIgnoreCancel()) {
            errors.add(new InvalidJobParamsException.ParamError("ignoreCancel",
                    "is not allowed here: a job that ignores its cancellation holds a thread until it ends by itself "
                            + "(failfast.jobs.sleep.allow-ignore-cancel is false)"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidJobParamsException(errors);
        }
        return parsed;
    }

    @Override
    public Object execute(JobContext<Params> context) throws JobFailedException {
        Params params = context.params();
        boolean ignoreCancel = Boolean.TRUE.equals(params.ignoreCancel());
        Duration failAt = params.failureAt(context.attempt());
        long start = System.nanoTime();
        long stepNanos = params.duration().toNanos() / params.stepCount();
        for (int step = 1; step <= params.stepCount(); step++) {
            if (!ignoreCancel) {
                context.cancellation().throwIfCancelled();
            }
            long stepEnd = start + (step == params.stepCount() ? params.duration().toNanos() : step * stepNanos);
            if (failAt != null && start + failAt.toNanos() <= stepEnd) {
                sleepUntil(start + failAt.toNanos(), ignoreCancel);
                String message = params.failMessage() == null ? "Simulated failure" : params.failMessage();
                throw new JobFailedException(JobError.JOB_ERROR, message);
            }
            sleepUntil(stepEnd, ignoreCancel);
        }
        return Map.of("sleptMillis", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    private static void sleepUntil(long deadlineNanos, boolean ignoreInterrupts) {
        boolean interrupted = false;
        try {
            long remaining;
            while ((remaining = deadlineNanos - System.nanoTime()) > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(remaining);
                }
                catch (InterruptedException e) {
                    if (!ignoreInterrupts) {
                        Thread.currentThread().interrupt();
                        throw new JobCancelledException();
                    }
                    interrupted = true;
                }
            }
        }
        finally {
            if (interrupted) {
                // A stuck job swallows interrupts on purpose, but hands the status back
                // on exit.
                Thread.currentThread().interrupt();
            }
        }
    }

}
