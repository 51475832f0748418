package dev.failfast.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;

/**
 * Test data for batches that reads like prose:
 * {@code aBatch().withJobs(3).running().build()},
 * {@code aSpec().failurePolicy(CONTINUE).build()}. Jobs come from {@link TestJobs}.
 *
 * <p>
 * {@link BatchBuilder#build()} is the one place tests construct a {@link Batch}; when
 * {@code Batch} gets its own transitions only the state verbs here change.
 */
public final class TestBatches {

    /**
     * The caller tests act as: an ordinary (not admin) caller of tenant {@code default}.
     */
    public static final Caller CALLER = new Caller("default", "key:test", false);

    /** The owner of the batches tests build: {@link #CALLER}. */
    public static final Owner OWNER = CALLER.owner();

    /** When built batches are created unless a test says otherwise. */
    public static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    private TestBatches() {
    }

    /**
     * A FAIL_FAST spec named {@code test-batch}, 4 jobs at once, no deadline, no jobs.
     */
    public static BatchSpecBuilder aSpec() {
        return new BatchSpecBuilder();
    }

    /** A QUEUED batch of {@link #aSpec()} with a random id, created at {@link #T0}. */
    public static BatchBuilder aBatch() {
        return new BatchBuilder(UUID.randomUUID(), aSpec());
    }

    /** A QUEUED batch of this spec, its jobs pending, as a submission creates it. */
    public static BatchBuilder aBatch(BatchSpec spec) {
        var builder = new BatchBuilder(UUID.randomUUID(),
                aSpec().named(spec.name())
                    .labels(spec.labels())
                    .failurePolicy(spec.failurePolicy())
                    .maxFailures(spec.maxFailures())
                    .maxParallelism(spec.maxParallelism())
                    .deadline(spec.deadline())
                    .policies(spec.policies())
                    .notifications(spec.notifications()));
        return builder.withJobs(spec.jobs().stream().map(TestJobs::aJob).toList());
    }

    /** A builder holding everything {@code batch} holds, to change some of it. */
    public static BatchBuilder aBatchLike(Batch batch) {
        BatchSpec spec = batch.spec();
        var builder = new BatchBuilder(batch.id(),
                aSpec().named(spec.name())
                    .labels(spec.labels())
                    .failurePolicy(spec.failurePolicy())
                    .maxFailures(spec.maxFailures())
                    .maxParallelism(spec.maxParallelism())
                    .deadline(spec.deadline())
                    .policies(spec.policies())
                    .jobs(spec.jobs())
                    .notifications(spec.notifications()));
        return builder.tally(batch.tally())
            .inState(batch.state())
            .owner(batch.owner())
            .createdAt(batch.createdAt())
            .startedAt(batch.startedAt())
            .finishedAt(batch.finishedAt())
            .counts(batch.counts())
            .cancellation(batch.cancellation());
    }

    /** Builds a {@link BatchSpec}. */
    public static final class BatchSpecBuilder {

        private String name = "test-batch";

        private final Map<String, String> labels = new LinkedHashMap<>();

        private FailurePolicy failurePolicy = FailurePolicy.FAIL_FAST;

        private @Nullable Integer maxFailures = 0;

        private BatchPolicies policies = BatchPolicies.NONE;

        private int maxParallelism = 4;

        private @Nullable Duration deadline;

        private List<JobSpec> jobs = List.of();

        private List<NotificationTarget> notifications = List.of();

        BatchSpecBuilder() {
        }

        public BatchSpecBuilder named(String name) {
            this.name = name;
            return this;
        }

        public BatchSpecBuilder label(String key, String value) {
            labels.put(key, value);
            return this;
        }

        public BatchSpecBuilder labels(Map<String, String> labels) {
            this.labels.clear();
            this.labels.putAll(labels);
            return this;
        }

        public BatchSpecBuilder failurePolicy(FailurePolicy failurePolicy) {
            this.failurePolicy = failurePolicy;
            return this;
        }

        public BatchSpecBuilder maxFailures(@Nullable Integer maxFailures) {
            this.maxFailures = maxFailures;
            return this;
        }

        public BatchSpecBuilder policies(BatchPolicies policies) {
            this.policies = policies;
            return this;
        }

        public BatchSpecBuilder maxParallelism(int maxParallelism) {
            this.maxParallelism = maxParallelism;
            return this;
        }

        public BatchSpecBuilder deadline(@Nullable Duration deadline) {
            this.deadline = deadline;
            return this;
        }

        public BatchSpecBuilder jobs(List<JobSpec> jobs) {
            this.jobs = List.copyOf(jobs);
            return this;
        }

        public BatchSpecBuilder jobs(TestJobs.JobSpecBuilder... jobs) {
            return jobs(List.of(jobs).stream().map(TestJobs.JobSpecBuilder::build).toList());
        }

        public BatchSpecBuilder notifications(List<NotificationTarget> notifications) {
            this.notifications = List.copyOf(notifications);
            return this;
        }

        public BatchSpec build() {
            return new BatchSpec(name, labels, failurePolicy, maxFailures, maxParallelism, deadline, jobs, policies,
                    notifications);
        }

    }

    /**
     * Builds a {@link Batch}. Its counts follow its jobs' states unless {@link #counts}
     * sets them. A state verb sets the state and the times it implies (started when
     * created, finished a second after it started); the setters after it change any of
     * them.
     */
    public static final class BatchBuilder {

        private UUID id;

        private final BatchSpecBuilder spec;

        private final List<Job> jobs = new ArrayList<>();

        private BatchState state = BatchState.QUEUED;

        private Owner owner = OWNER;

        private Instant createdAt = T0;

        private @Nullable Instant startedAt;

        private @Nullable Instant finishedAt;

        private @Nullable JobCounts counts;

        private @Nullable CancellationCause cancellation;

        private JobTally tally = JobTally.ZERO;

        BatchBuilder(UUID id, BatchSpecBuilder spec) {
            this.id = id;
            this.spec = spec;
        }

        public BatchBuilder withId(UUID id) {
            this.id = id;
            return this;
        }

        /**
         * {@code n} pending one-second {@code sleep} jobs, {@code job-0} to
         * {@code job-<n-1>}.
         */
        public BatchBuilder withJobs(int n) {
            return withJobs(IntStream.range(0, n).mapToObj(i -> TestJobs.aJob("job-" + i)).toList());
        }

        public BatchBuilder withJobs(TestJobs.JobBuilder... jobs) {
            return withJobs(List.of(jobs));
        }

        public BatchBuilder withJobs(List<TestJobs.JobBuilder> jobs) {
            return withBuiltJobs(jobs.stream().map(TestJobs.JobBuilder::build).toList());
        }

        /** These jobs, and their specs in the batch's spec. */
        public BatchBuilder withBuiltJobs(List<Job> jobs) {
            this.jobs.clear();
            this.jobs.addAll(jobs);
            spec.jobs(jobs.stream().map(Job::spec).toList());
            return this;
        }

        public BatchBuilder named(String name) {
            spec.named(name);
            return this;
        }

        public BatchBuilder label(String key, String value) {
            spec.label(key, value);
            return this;
        }

        public BatchBuilder labels(Map<String, String> labels) {
            spec.labels(labels);
            return this;
        }

        public BatchBuilder failurePolicy(FailurePolicy failurePolicy) {
            spec.failurePolicy(failurePolicy);
            return this;
        }

        public BatchBuilder maxFailures(@Nullable Integer maxFailures) {
            spec.maxFailures(maxFailures);
            return this;
        }

        public BatchBuilder policies(BatchPolicies policies) {
            spec.policies(policies);
            return this;
        }

        public BatchBuilder tally(JobTally tally) {
            this.tally = tally;
            return this;
        }

        public BatchBuilder notifications(List<NotificationTarget> notifications) {
            spec.notifications(notifications);
            return this;
        }

        public BatchBuilder maxParallelism(int maxParallelism) {
            spec.maxParallelism(maxParallelism);
            return this;
        }

        public BatchBuilder deadline(@Nullable Duration deadline) {
            spec.deadline(deadline);
            return this;
        }

        public BatchBuilder queued() {
            return inState(BatchState.QUEUED).startedAt(null).finishedAt(null);
        }

        public BatchBuilder running() {
            return started().inState(BatchState.RUNNING).finishedAt(null);
        }

        /** Being cancelled for {@code cause}: running jobs are told to stop. */
        public BatchBuilder cancelling(CancellationCause cause) {
            return started().inState(BatchState.CANCELLING).cancellation(cause).finishedAt(null);
        }

        public BatchBuilder succeeded() {
            return finished(BatchState.SUCCEEDED);
        }

        public BatchBuilder failed() {
            return finished(BatchState.FAILED);
        }

        public BatchBuilder cancelled() {
            return finished(BatchState.CANCELLED);
        }

        /** Only the state; nothing else changes. */
        public BatchBuilder inState(BatchState state) {
            this.state = state;
            return this;
        }

        public BatchBuilder owner(Owner owner) {
            this.owner = owner;
            return this;
        }

        public BatchBuilder createdAt(Instant createdAt) {
            this.createdAt = createdAt;
            return this;
        }

        public BatchBuilder startedAt(@Nullable Instant startedAt) {
            this.startedAt = startedAt;
            return this;
        }

        public BatchBuilder finishedAt(@Nullable Instant finishedAt) {
            this.finishedAt = finishedAt;
            return this;
        }

        public BatchBuilder counts(JobCounts counts) {
            this.counts = counts;
            return this;
        }

        public BatchBuilder cancellation(@Nullable CancellationCause cancellation) {
            this.cancellation = cancellation;
            return this;
        }

        /**
         * The jobs given with {@link #withJobs}, as built; what a store's {@code create}
         * takes with the batch.
         */
        public List<Job> jobs() {
            return List.copyOf(jobs);
        }

        public Batch build() {
            return new Batch(id, owner, spec.build(), state, createdAt, startedAt, finishedAt,
                    counts != null ? counts : countsOfJobs(), cancellation, tally, List.of(), null);
        }

        private JobCounts countsOfJobs() {
            JobCounts result = JobCounts.allPending(jobs.size());
            for (Job job : jobs) {
                result = job.state() == JobState.PENDING ? result : result.moved(JobState.PENDING, job.state());
            }
            return result;
        }

        private BatchBuilder started() {
            if (startedAt == null) {
                startedAt = createdAt;
            }
            return this;
        }

        private BatchBuilder finished(BatchState terminal) {
            started().inState(terminal);
            if (finishedAt == null) {
                finishedAt = startedAt.plusSeconds(1);
            }
            return this;
        }

    }

}
