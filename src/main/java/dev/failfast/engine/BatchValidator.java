package dev.failfast.engine;

import dev.failfast.batch.BatchPolicies;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.ErrorAction;
import dev.failfast.batch.ErrorRule;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.batch.SuccessPolicy;
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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks what only the engine knows: every job's type exists, its params are valid for
 * that type, job ids are unique, no duration is beyond what its timers can handle, and
 * retries stay within the limits that keep one batch from hammering a failing target (a
 * backoff of at least {@code failfast.limits.min-retry-backoff}, at most
 * {@code failfast.limits.max-attempts-per-batch} attempts in all), and the batch's
 * policies hold together against its jobs ({@link #validatePolicies}). Reports at most
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
        requireAttemptsWithinLimit(jobs, spec.policies(), violations);
        validatePolicies(spec, violations);
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
            requireRetryFloor(path + ".retry.backoff", job.retry(), violations);
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
     * every job's {@code maxAttempts} is what the batch may send to its targets. A RETRY
     * rule with its own retry may give any job that many attempts, so each job counts the
     * larger of its own and the rules' {@code maxAttempts}.
     */
    private void requireAttemptsWithinLimit(List<JobSpec> jobs, BatchPolicies policies, List<Violation> violations) {
        int ruleAttempts = policies.onError()
            .stream()
            .map(ErrorRule::retry)
            .filter(Objects::nonNull)
            .mapToInt(RetryPolicy::maxAttempts)
            .max()
            .orElse(1);
        long attempts = 0;
        for (int i = 0; i < jobs.size(); i++) {
            attempts += Math.max(jobs.get(i).retry().maxAttempts(), ruleAttempts);
            if (attempts > maxAttemptsPerBatch) {
                long total = attempts + jobs.subList(i + 1, jobs.size())
                    .stream()
                    .mapToLong(job -> Math.max(job.retry().maxAttempts(), ruleAttempts))
                    .sum();
                violations.add(new Violation("jobs[" + i + "].retry.maxAttempts",
                        "the batch's jobs may make at most " + maxAttemptsPerBatch
                                + " attempts in all (failfast.limits.max-attempts-per-batch, the sum over the jobs "
                                + "of the larger of each job's retry.maxAttempts and the onError rules' "
                                + "retry.maxAttempts); this batch's make " + total));
                return;
            }
        }
    }

    /**
     * What the policies must be against the jobs and the limits: a ratio only under
     * FAIL_FAST and {@code minJobsForRatio} only with one and at most the jobs; no rule
     * that a rule matching everything before it makes unreachable; a RETRY rule that can
     * retry; rule retries within the limits a job's are; a success policy the jobs can
     * meet.
     */
    private void validatePolicies(BatchSpec spec, List<Violation> violations) {
        BatchPolicies policies = spec.policies();
        int jobs = spec.jobs().size();
        if (policies.maxFailureRatio() != null && spec.failurePolicy() != FailurePolicy.FAIL_FAST) {
            violations.add(new Violation("maxFailureRatio",
                    "CONTINUE never cancels the batch for failures: maxFailureRatio is for FAIL_FAST only"));
        }
        if (policies.minJobsForRatio() > 0) {
            if (policies.maxFailureRatio() == null) {
                violations.add(new Violation("minJobsForRatio", "only with maxFailureRatio"));
            }
            else if (policies.minJobsForRatio() > jobs) {
                violations.add(new Violation("minJobsForRatio",
                        "must be at most the number of jobs (" + jobs + "), was " + policies.minJobsForRatio()));
            }
        }
        boolean anyJobRetries = spec.jobs().stream().anyMatch(job -> job.retry().maxAttempts() > 1);
        Integer matchesAll = null;
        List<ErrorRule> rules = policies.onError();
        for (int i = 0; i < rules.size(); i++) {
            ErrorRule rule = rules.get(i);
            String path = "onError[" + i + "]";
            if (matchesAll != null) {
                violations.add(new Violation(path, "unreachable: onError[" + matchesAll
                        + "] has no condition, so it matches every failure first"));
            }
            else if (rule.errorType() == null && rule.httpStatus() == null && rule.exception() == null
                    && rule.message() == null) {
                matchesAll = i;
            }
            RetryPolicy retry = rule.retry();
            if (rule.action() == ErrorAction.RETRY && retry == null && !anyJobRetries) {
                violations.add(new Violation(path + ".retry", "a RETRY rule without retry uses each job's retry "
                        + "policy, and no job of this batch is attempted more than once: give the rule a retry"));
            }
            if (retry != null) {
                requireBounded(path + ".retry.backoff", retry.backoff(), violations);
                requireBounded(path + ".retry.maxBackoff", retry.maxBackoff(), violations);
                requireRetryFloor(path + ".retry.backoff", retry, violations);
            }
        }
        switch (policies.succeedWhen()) {
            case null -> {
            }
            case SuccessPolicy.MinSucceeded(int count) when count > jobs ->
                violations.add(new Violation("succeedWhen.minSucceeded",
                        "must be at most the number of jobs (" + jobs + "), was " + count));
            case SuccessPolicy.MinSucceeded ignored -> {
            }
            case SuccessPolicy.JobIds(var ids) -> {
                Set<String> known = spec.jobs().stream().map(JobSpec::id).collect(Collectors.toSet());
                int i = 0;
                for (String id : ids) {
                    if (!known.contains(id)) {
                        violations.add(new Violation("succeedWhen.jobIds[" + i + "]",
                                "no job of this batch has the id '" + id + "'"));
                    }
                    i++;
                }
            }
        }
    }

    /** A retry must wait at least {@code failfast.limits.min-retry-backoff}. */
    private void requireRetryFloor(String field, RetryPolicy retry, List<Violation> violations) {
        if (retry.maxAttempts() > 1 && retry.backoff().compareTo(minRetryBackoff) < 0) {
            violations.add(new Violation(field, "must be at least " + minRetryBackoff
                    + " (failfast.limits.min-retry-backoff), was " + retry.backoff()));
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
