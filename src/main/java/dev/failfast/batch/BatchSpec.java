package dev.failfast.batch;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What a client asked a batch to do, after defaults were applied.
 *
 * @param name a label for humans; need not be unique
 * @param labels free-form key/value pairs to find batches by
 * @param failurePolicy what a job failure does to the batch
 * @param maxFailures failures tolerated before a FAIL_FAST batch is cancelled (ignored
 * failures not counted); null for no absolute limit, where a FAIL_FAST batch is judged by
 * its {@code maxFailureRatio} alone
 * @param maxParallelism jobs of this batch running at once
 * @param deadline how long after submission (for a redriven run, after its redrive) the
 * batch must be finished; null for none
 * @param jobs the jobs, in the order they are started. Empty in a batch read back from a
 * durable store, which keeps jobs apart and reads them page by page; a submitted spec
 * always has jobs (checked where batches are submitted)
 * @param policies tolerance by ratio, rules per error and the success policy
 * @param notifications the webhooks told of the batch's events (besides its tenant's
 * subscriptions)
 */
public record BatchSpec(String name, Map<String, String> labels, FailurePolicy failurePolicy,
        @Nullable Integer maxFailures, int maxParallelism, @Nullable Duration deadline, List<JobSpec> jobs,
        BatchPolicies policies, List<NotificationTarget> notifications) {

    /** A batch that names no notification target. */
    public BatchSpec(String name, Map<String, String> labels, FailurePolicy failurePolicy,
            @Nullable Integer maxFailures, int maxParallelism, @Nullable Duration deadline, List<JobSpec> jobs,
            BatchPolicies policies) {
        this(name, labels, failurePolicy, maxFailures, maxParallelism, deadline, jobs, policies, List.of());
    }

    /** A batch with no policy beyond {@code failurePolicy} and {@code maxFailures}. */
    public BatchSpec(String name, Map<String, String> labels, FailurePolicy failurePolicy,
            @Nullable Integer maxFailures, int maxParallelism, @Nullable Duration deadline, List<JobSpec> jobs) {
        this(name, labels, failurePolicy, maxFailures, maxParallelism, deadline, jobs, BatchPolicies.NONE);
    }

    public BatchSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(failurePolicy, "failurePolicy");
        Objects.requireNonNull(policies, "policies");
        labels = Map.copyOf(labels);
        jobs = List.copyOf(jobs);
        notifications = List.copyOf(notifications);
        if (maxParallelism < 1) {
            throw new IllegalArgumentException("maxParallelism must be at least 1, was " + maxParallelism);
        }
        if (maxFailures != null && maxFailures < 0) {
            throw new IllegalArgumentException("maxFailures must not be negative, was " + maxFailures);
        }
    }

    /**
     * The cause a job failure records when {@code failedJobs} failed jobs (whose failure
     * counts) stop the batch by its failure policy ({@code FAIL_FAST} beyond
     * {@code maxFailures}), else null.
     */
    public @Nullable CauseType causeAfterFailures(int failedJobs) {
        if (failurePolicy != FailurePolicy.FAIL_FAST || maxFailures == null || failedJobs <= maxFailures) {
            return null;
        }
        return maxFailures == 0 ? CauseType.JOB_FAILED : CauseType.MAX_FAILURES_EXCEEDED;
    }
}
