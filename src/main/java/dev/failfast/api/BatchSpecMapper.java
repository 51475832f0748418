package dev.failfast.api;

import dev.failfast.api.BatchRequest.JobRequest;
import dev.failfast.api.BatchRequest.RetryRequest;
import dev.failfast.batch.BatchPolicies;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.ErrorAction;
import dev.failfast.batch.ErrorRule;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.HttpStatusMatch;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.NotificationEvent;
import dev.failfast.batch.NotificationTarget;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.batch.SuccessPolicy;
import dev.failfast.engine.InvalidBatchException;
import dev.failfast.engine.InvalidBatchException.Violation;
import dev.failfast.job.InvalidJobParamsException.ParamError;
import dev.failfast.notify.NotificationTargetCheck;
import dev.failfast.settings.FailfastProperties;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a validated request into a {@link BatchSpec}, applying defaults and checking what
 * the request alone says: durations, the shape of the policies (HTTP statuses, regular
 * expressions, a retry only for RETRY, exactly one success policy) and what was given
 * together.
 */
@Component
class BatchSpecMapper {

    static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(1);
    static final double DEFAULT_MULTIPLIER = 2.0;
    static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(5);

    private final int defaultMaxParallelism;

    private final int maxTargets;

    private final NotificationTargetCheck targetCheck;

    BatchSpecMapper(FailfastProperties properties, NotificationTargetCheck targetCheck) {
        this.defaultMaxParallelism = properties.engine().defaultMaxParallelism();
        this.maxTargets = properties.notifications().maxTargetsPerBatch();
        this.targetCheck = targetCheck;
    }

    /**
     * @param tenant the submitter's tenant, whose SSRF policy and secrets the
     * notification targets are checked against
     */
    BatchSpec toSpec(BatchRequest request, String tenant) {
        List<Violation> violations = new ArrayList<>();
        requirePositive("deadline", request.deadline(), violations);
        List<JobSpec> jobs = new ArrayList<>(request.jobs().size());
        DistinctParams distinctParams = new DistinctParams();
        for (int i = 0; i < request.jobs().size(); i++) {
            jobs.add(toSpec(request.jobs().get(i), "jobs[" + i + "]", distinctParams, violations));
        }
        FailurePolicy policy = Objects.requireNonNullElse(request.failurePolicy(), FailurePolicy.FAIL_FAST);
        if (policy == FailurePolicy.CONTINUE && request.maxFailures() != null) {
            violations.add(new Violation("maxFailures",
                    "CONTINUE never cancels the batch for failures: maxFailures is for FAIL_FAST only"));
        }
        BatchPolicies policies = toPolicies(request, violations);
        List<NotificationTarget> targets = toTargets(request, tenant, violations);
        if (!violations.isEmpty()) {
            throw new InvalidBatchException(violations);
        }
        return new BatchSpec(Objects.requireNonNullElse(request.name(), ""),
                Objects.requireNonNullElse(request.labels(), Map.of()), policy, maxFailures(request),
                Objects.requireNonNullElse(request.maxParallelism(), defaultMaxParallelism), request.deadline(), jobs,
                policies, targets);
    }

    private List<NotificationTarget> toTargets(BatchRequest request, String tenant, List<Violation> violations) {
        List<NotificationRequest> requested = Objects.requireNonNullElse(request.notifications(), List.of());
        if (requested.size() > maxTargets) {
            violations.add(new Violation("notifications", "a batch may name at most " + maxTargets
                    + " notification targets (failfast.notifications.max-targets-per-batch)"));
            return List.of();
        }
        List<NotificationTarget> targets = new ArrayList<>();
        for (int i = 0; i < requested.size(); i++) {
            String path = "notifications[" + i + "]";
            NotificationRequest target = requested.get(i);
            NotificationTarget built = toTarget(target, tenant, path, violations);
            if (built != null) {
                targets.add(built);
            }
        }
        return targets;
    }

    /**
     * The target a request names, checked as an {@code http} job's URL and headers are;
     * null (and violations named {@code path.<field>}, or {@code <field>} for an empty
     * path) if it is invalid. Also used for subscriptions.
     */
    @Nullable NotificationTarget toTarget(NotificationRequest target, String tenant, String path, List<Violation> violations) {
        ObjectNode headers = target.headers() != null ? target.headers() : JsonNodeFactory.instance.objectNode();
        List<ParamError> problems = targetCheck.problems(target.url(), headers, target.secret(), tenant);
        problems.forEach(problem -> violations
            .add(new Violation(path.isEmpty() ? problem.param() : path + "." + problem.param(), problem.message())));
        if (!problems.isEmpty()) {
            return null;
        }
        Set<NotificationEvent> events = EnumSet.noneOf(NotificationEvent.class);
        target.events().forEach(event -> events.add(NotificationEvent.of(event).orElseThrow()));
        return new NotificationTarget(URI.create(target.url()), events, target.secret(), headers);
    }

    /**
     * As given; else 0 (the first failure cancels), unless a ratio is given: then the
     * ratio alone judges the failures.
     */
    private static @Nullable Integer maxFailures(BatchRequest request) {
        if (request.maxFailures() != null) {
            return request.maxFailures();
        }
        return request.maxFailureRatio() != null ? null : 0;
    }

    private static JobSpec toSpec(JobRequest job, String path, DistinctParams distinctParams,
            List<Violation> violations) {
        requirePositive(path + ".timeout", job.timeout(), violations);
        RetryRequest r = job.retry();
        RetryPolicy retry = r == null ? RetryPolicy.NONE
                : Objects.requireNonNullElse(toRetry(r, path + ".retry", violations), RetryPolicy.NONE);
        ObjectNode params = job.params() != null ? job.params() : JsonNodeFactory.instance.objectNode();
        params = distinctParams.share(params);
        return new JobSpec(job.id(), job.type(), params, job.timeout(), retry);
    }

    /** A retry policy with its defaults, or null (and a violation) if it is invalid. */
    private static @Nullable RetryPolicy toRetry(RetryRequest r, String path, List<Violation> violations) {
        Duration backoff = Objects.requireNonNullElse(r.backoff(), DEFAULT_BACKOFF);
        Duration maxBackoff = Objects.requireNonNullElse(r.maxBackoff(), DEFAULT_MAX_BACKOFF);
        if (backoff.isNegative()) {
            violations.add(new Violation(path + ".backoff", "must not be negative"));
            return null;
        }
        if (maxBackoff.compareTo(backoff) < 0) {
            violations.add(new Violation(path + ".maxBackoff", "must be at least backoff (" + backoff + ")"));
            return null;
        }
        return new RetryPolicy(r.maxAttempts(), backoff, Objects.requireNonNullElse(r.multiplier(), DEFAULT_MULTIPLIER),
                maxBackoff);
    }

    /**
     * The policies as the request gives them; what only holds against the jobs and the
     * service's limits the engine checks ({@code BatchValidator}).
     */
    private static BatchPolicies toPolicies(BatchRequest request, List<Violation> violations) {
        List<ErrorRule> rules = new ArrayList<>();
        List<OnErrorRule> onError = Objects.requireNonNullElse(request.onError(), List.of());
        for (int i = 0; i < onError.size(); i++) {
            ErrorRule rule = toRule(onError.get(i), "onError[" + i + "]", violations);
            if (rule != null) {
                rules.add(rule);
            }
        }
        SuccessPolicy success = request.succeedWhen() == null ? null
                : toSuccessPolicy(request.succeedWhen(), violations);
        return new BatchPolicies(request.maxFailureRatio(), Objects.requireNonNullElse(request.minJobsForRatio(), 0),
                rules, success);
    }

    private static @Nullable ErrorRule toRule(OnErrorRule rule, String path, List<Violation> violations) {
        int before = violations.size();
        HttpStatusMatch status = toStatus(rule.httpStatus(), path + ".httpStatus", violations);
        Pattern message = null;
        if (rule.message() != null) {
            try {
                message = Pattern.compile(rule.message());
            }
            catch (PatternSyntaxException e) {
                violations.add(new Violation(path + ".message",
                        "must be a regular expression: " + e.getDescription() + " near index " + e.getIndex()));
            }
        }
        RetryPolicy retry = null;
        if (rule.retry() != null) {
            if (rule.action() != ErrorAction.RETRY) {
                violations.add(new Violation(path + ".retry", "only for action RETRY, not " + rule.action()));
            }
            else {
                retry = toRetry(rule.retry(), path + ".retry", violations);
            }
        }
        if (violations.size() > before) {
            return null;
        }
        return new ErrorRule(rule.errorType(), status, rule.exception(), message, rule.action(), retry);
    }

    /** {@code 404}, {@code "404"} or {@code "4xx"}; JSON null is no condition. */
    private static @Nullable HttpStatusMatch toStatus(@Nullable JsonNode status, String path,
            List<Violation> violations) {
        if (status == null || status.isNull()) {
            return null;
        }
        if (status.isIntegralNumber() && status.canConvertToInt()) {
            int value = status.intValue();
            if (value >= 100 && value <= 599) {
                return new HttpStatusMatch(value, value);
            }
            violations.add(new Violation(path, "must be an HTTP status from 100 to 599, was " + value));
            return null;
        }
        if (status.isString()) {
            try {
                return HttpStatusMatch.parse(status.stringValue());
            }
            catch (IllegalArgumentException e) {
                violations.add(new Violation(path,
                        "must be an HTTP status such as 404 or \"404\", or a class such as \"4xx\""));
                return null;
            }
        }
        violations.add(new Violation(path, "must be an integer such as 404 or a string such as \"4xx\""));
        return null;
    }

    private static @Nullable SuccessPolicy toSuccessPolicy(SucceedWhen when, List<Violation> violations) {
        List<String> ids = when.jobIds();
        if ((when.minSucceeded() == null) == (ids == null)) {
            violations.add(new Violation("succeedWhen", "must have exactly one of minSucceeded and jobIds"));
            return null;
        }
        if (ids == null) {
            return new SuccessPolicy.MinSucceeded(Objects.requireNonNull(when.minSucceeded()));
        }
        if (ids.isEmpty()) {
            violations.add(new Violation("succeedWhen.jobIds", "must not be empty"));
            return null;
        }
        Map<String, Integer> firstIndex = new HashMap<>();
        int before = violations.size();
        for (int i = 0; i < ids.size(); i++) {
            Integer first = firstIndex.putIfAbsent(ids.get(i), i);
            if (first != null) {
                violations.add(new Violation("succeedWhen.jobIds[" + i + "]",
                        "duplicate job id '" + ids.get(i) + "' (also succeedWhen.jobIds[" + first + "])"));
            }
        }
        return violations.size() > before ? null : new SuccessPolicy.JobIds(new LinkedHashSet<>(ids));
    }

    private static void requirePositive(String field, @Nullable Duration value, List<Violation> violations) {
        if (value != null && (value.isNegative() || value.isZero())) {
            violations.add(new Violation(field, "must be a positive duration, was " + value));
        }
    }

}
