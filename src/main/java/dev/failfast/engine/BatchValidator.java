package dev.failfast.engine;

import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.engine.InvalidBatchException.Violation;
import dev.failfast.job.InvalidJobParamsException;
import dev.failfast.job.JobHandler;
import dev.failfast.job.JobHandlers;
import dev.failfast.settings.FailfastProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks what only the engine knows: every job's type exists, its params are valid for
 * that type, job ids are unique, no duration is beyond what its timers can handle, and
 * retries stay within the limits that keep one batch from hammering a failing target (a
 * backoff of at least {@code failfast.limits.min-retry-backoff}, at most
 * {@code failfast.limits.max-attempts-per-batch} attempts in all). Reports at most
 * {@link #MAX_VIOLATIONS} problems, so that a bad 100 000-job batch gets a readable
 * answer.
 *
 * <p>
 * The params it parses are kept for the jobs' attempts. Jobs whose params are the same
 * object (the API shares equal params within a batch) are parsed once.
 */
final class BatchValidator {

    static final int MAX_VIOLATIONS = 100;
    static final Duration MAX_DURATION = Duration.ofDays(JobSpec.MAX_DURATION_DAYS);

    private final JobHandlers handlers;

    private final int maxJobsPerBatch;

    private final Duration minRetryBackoff;

    private final long maxAttemptsPerBatch;

    BatchValidator(JobHandlers handlers, FailfastProperties.Limits limits) {
        this.handlers = handlers;
        this.maxJobsPerBatch = limits.maxJobsPerBatch();
        this.minRetryBackoff = limits.minRetryBackoff();
        this.maxAttemptsPerBatch = limits.maxAttemptsPerBatch();
    }

    /**
     * Returns every job's params as its handler parsed them, in job order.
     * @throws InvalidBatchException naming each problem found
     */
    List<Object> validate(BatchSpec spec, String tenant) {
        if (spec.jobs().isEmpty()) {
            throw new InvalidBatchException(List.of(new Violation("jobs", "a batch needs at least one job")));
        }
        if (spec.jobs().size() > maxJobsPerBatch) {
            throw new InvalidBatchException(List.of(new Violation("jobs",
                    "a batch may have at most " + maxJobsPerBatch + " jobs, this one has " + spec.jobs().size())));
        }
        List<Violation> violations = new ArrayList<>();
        requireBounded("deadline", spec.deadline(), violations);
        Map<String, Integer> firstIndexById = new HashMap<>();
        IdentityHashMap<ObjectNode, Parsed> parsedByParams = new IdentityHashMap<>();
        List<JobSpec> jobs = spec.jobs();
        List<Object> parsedParams = new ArrayList<>(jobs.size());
        requireAttemptsWithinLimit(jobs, violations);
        for (int i = 0; i < jobs.size() && violations.size() < MAX_VIOLATIONS; i++) {
            JobSpec job = jobs.get(i);
            String path = "jobs[" + i + "]";
            Integer first = firstIndexById.putIfAbsent(job.id(), i);
            if (first != null) {
                violations
                    .add(new Violation(path + ".id", "duplicate job id '" + job.id() + "' (also jobs[" + first + "])"));
            }
            requireBounded(path + ".timeout", job.timeout(), violations);
            requireBounded(path + ".retry.backoff", job.retry().backoff(), violations);
            requireBounded(path + ".retry.maxBackoff", job.retry().maxBackoff(), violations);
            RetryPolicy retry = job.retry();
            if (retry.maxAttempts() > 1 && retry.backoff().compareTo(minRetryBackoff) < 0) {
                violations.add(new Violation(path + ".retry.backoff", "must be at least " + minRetryBackoff
                        + " (failfast.limits.min-retry-backoff), was " + retry.backoff()));
            }
            Optional<JobHandler<?>> handler = handlers.find(job.type());
            if (handler.isEmpty()) {
                violations.add(new Violation(path + ".type",
                        "unknown job type '" + job.type() + "'; known types: " + handlers.types()));
                continue;
            }
            Parsed parsed = parsedByParams.get(job.params());
            if (parsed == null || !parsed.type().equals(job.type())) {
                parsed = parse(handler.get(), job.params(), tenant);
                parsedByParams.put(job.params(), parsed);
            }
            if (parsed.error() != null) {
                parsed.error()
                    .errors()
                    .forEach(
                            error -> violations.add(new Violation(path + ".params." + error.param(), error.message())));
            }
            else {
                parsedParams.add(parsed.params());
            }
        }
        if (!violations.isEmpty()) {
            throw new InvalidBatchException(violations.subList(0, Math.min(violations.size(), MAX_VIOLATIONS)));
        }
        return parsedParams;
    }

    /**
     * The first job that takes the batch's attempts over the limit is named: the sum of
     * every job's {@code maxAttempts} is what the batch may send to its targets.
     */
    private void requireAttemptsWithinLimit(List<JobSpec> jobs, List<Violation> violations) {
        long attempts = 0;
        for (int i = 0; i < jobs.size(); i++) {
            attempts += jobs.get(i).retry().maxAttempts();
            if (attempts > maxAttemptsPerBatch) {
                long total = attempts
                        + jobs.subList(i + 1, jobs.size()).stream().mapToLong(job -> job.retry().maxAttempts()).sum();
                violations.add(new Violation("jobs[" + i + "].retry.maxAttempts",
                        "the batch's jobs may make at most " + maxAttemptsPerBatch
                                + " attempts in all (failfast.limits.max-attempts-per-batch, the sum of every job's "
                                + "retry.maxAttempts); this batch's make " + total));
                return;
            }
        }
    }

    private static void requireBounded(String field, @Nullable Duration value, List<Violation> violations) {
        if (value != null && value.compareTo(MAX_DURATION) > 0) {
            violations.add(new Violation(field,
                    "must be at most " + MAX_DURATION + " (" + MAX_DURATION.toDays() + " days), was " + value));
        }
    }

    private static Parsed parse(JobHandler<?> handler, ObjectNode params, String tenant) {
        try {
            return new Parsed(handler.type(), handler.parseParams(params, tenant), null);
        }
        catch (InvalidJobParamsException e) {
            return new Parsed(handler.type(), null, e);
        }
    }

    private record Parsed(String type, @Nullable Object params, @Nullable InvalidJobParamsException error) {
    }

}
