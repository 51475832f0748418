package dev.failfast.api;

import dev.failfast.api.BatchRequest.JobRequest;
import dev.failfast.api.BatchRequest.RetryRequest;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.engine.InvalidBatchException;
import dev.failfast.engine.InvalidBatchException.Violation;
import dev.failfast.settings.FailfastProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a validated request into a {@link BatchSpec}, applying defaults and checking
 * durations.
 */
@Component
class BatchSpecMapper {

    static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
    static final double DEFAULT_MULTIPLIER = 2.0;
    static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(5);

    private final int defaultMaxParallelism;

    BatchSpecMapper(FailfastProperties properties) {
        this.defaultMaxParallelism = properties.engine().defaultMaxParallelism();
    }

    BatchSpec toSpec(BatchRequest request) {
        List<Violation> violations = new ArrayList<>();
        requirePositive("deadline", request.deadline(), violations);
        List<JobSpec> jobs = new ArrayList<>(request.jobs().size());
        DistinctParams distinctParams = new DistinctParams();
        for (int i = 0; i < request.jobs().size(); i++) {
            jobs.add(toSpec(request.jobs().get(i), "jobs[" + i + "]", distinctParams, violations));
        }
        if (!violations.isEmpty()) {
            throw new InvalidBatchException(violations);
        }
        FailurePolicy policy = Objects.requireNonNullElse(request.failurePolicy(), FailurePolicy.FAIL_FAST);
        return new BatchSpec(Objects.requireNonNullElse(request.name(), ""),
                Objects.requireNonNullElse(request.labels(), Map.of()), policy,
                Objects.requireNonNullElse(request.maxFailures(), 0),
                Objects.requireNonNullElse(request.maxParallelism(), defaultMaxParallelism), request.deadline(), jobs);
    }

    private static JobSpec toSpec(JobRequest job, String path, DistinctParams distinctParams,
            List<Violation> violations) {
        requirePositive(path + ".timeout", job.timeout(), violations);
        RetryPolicy retry = RetryPolicy.NONE;
        RetryRequest r = job.retry();
        if (r != null) {
            Duration backoff = Objects.requireNonNullElse(r.backoff(), DEFAULT_BACKOFF);
            Duration maxBackoff = Objects.requireNonNullElse(r.maxBackoff(), DEFAULT_MAX_BACKOFF);
            if (backoff.isNegative()) {
                violations.add(new Violation(path + ".retry.backoff", "must not be negative"));
            }
            else if (maxBackoff.compareTo(backoff) < 0) {
                violations.add(new Violation(path + ".retry.maxBackoff", "must be at least backoff (" + backoff + ")"));
            }
            else {
                retry = new RetryPolicy(r.maxAttempts(), backoff,
                        Objects.requireNonNullElse(r.multiplier(), DEFAULT_MULTIPLIER), maxBackoff);
            }
        }
        ObjectNode params = job.params() != null ? job.params() : JsonNodeFactory.instance.objectNode();
        params = distinctParams.share(params);
        return new JobSpec(job.id(), job.type(), params, job.timeout(), retry);
    }

    private static void requirePositive(String field, @Nullable Duration value, List<Violation> violations) {
        if (value != null && (value.isNegative() || value.isZero())) {
            violations.add(new Violation(field, "must be a positive duration, was " + value));
        }
    }

}
