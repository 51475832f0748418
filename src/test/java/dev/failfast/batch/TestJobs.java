package dev.failfast.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Test data for jobs that reads like prose (JobRunr's {@code JobTestBuilder} is the
 * model): {@code aJob("a").running().attempts(2).build()},
 * {@code sleepJob("b", Duration.ofSeconds(1)).timeout(...)}.
 *
 * <p>
 * {@link JobBuilder#build()} is the one place tests construct a {@link Job}; when
 * {@code Job} gets its own transitions ({@code started}, {@code succeeded}, …) only the
 * state verbs here change.
 */
public final class TestJobs {

    /**
     * When built jobs start unless a test says otherwise; {@link TestBatches#T0} as well.
     */
    public static final Instant T0 = TestBatches.T0;

    private TestJobs() {
    }

    /** A {@code sleep} job spec that sleeps for {@code duration}. */
    public static JobSpecBuilder sleepJob(String id, Duration duration) {
        return new JobSpecBuilder(id, "sleep").param("duration", duration.toString());
    }

    /** An {@code http} job spec that gets {@code url}. */
    public static JobSpecBuilder httpJob(String id, String url) {
        return new JobSpecBuilder(id, "http").param("url", url);
    }

    /** A pending one-second {@code sleep} job. */
    public static JobBuilder aJob(String id) {
        return aJob(sleepJob(id, Duration.ofSeconds(1)).build());
    }

    public static JobBuilder aJob(JobSpecBuilder spec) {
        return aJob(spec.build());
    }

    /** A pending job of this spec. */
    public static JobBuilder aJob(JobSpec spec) {
        return new JobBuilder(spec);
    }

    /** Builds a {@link JobSpec}: no timeout and no retries unless set. */
    public static final class JobSpecBuilder {

        private final String id;

        private String type;

        private ObjectNode params = JsonNodeFactory.instance.objectNode();

        private @Nullable Duration timeout;

        private RetryPolicy retry = RetryPolicy.NONE;

        JobSpecBuilder(String id, String type) {
            this.id = id;
            this.type = type;
        }

        public JobSpecBuilder type(String type) {
            this.type = type;
            return this;
        }

        /**
         * Replaces all params; the node is used as it is, so jobs built from one builder
         * may share it.
         */
        public JobSpecBuilder params(ObjectNode params) {
            this.params = params;
            return this;
        }

        public JobSpecBuilder param(String name, String value) {
            params = params.deepCopy().put(name, value);
            return this;
        }

        public JobSpecBuilder param(String name, int value) {
            params = params.deepCopy().put(name, value);
            return this;
        }

        public JobSpecBuilder param(String name, boolean value) {
            params = params.deepCopy().put(name, value);
            return this;
        }

        public JobSpecBuilder timeout(@Nullable Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public JobSpecBuilder retry(RetryPolicy retry) {
            this.retry = retry;
            return this;
        }

        /** {@code maxAttempts} attempts in all, {@code backoff} apart, without growth. */
        public JobSpecBuilder retry(int maxAttempts, Duration backoff) {
            return retry(new RetryPolicy(maxAttempts, backoff, 1.0, backoff));
        }

        public JobSpec build() {
            return new JobSpec(id, type, params, timeout, retry);
        }

    }

    /**
     * Builds a {@link Job}, pending unless a state verb says otherwise. A verb sets the
     * state and the times and attempt count that state implies (started at {@link #T0},
     * finished a second later); the setters after it change any of them.
     */
    public static final class JobBuilder {

        private final JobSpec spec;

        private JobState state = JobState.PENDING;

        private int attempts;

        private @Nullable Instant startedAt;

        private @Nullable Instant finishedAt;

        private @Nullable JobError error;

        private @Nullable JsonNode result;

        private boolean abandoned;

        JobBuilder(JobSpec spec) {
            this.spec = Objects.requireNonNull(spec, "spec");
        }

        public JobBuilder pending() {
            return inState(JobState.PENDING).attempts(0).startedAt(null).finishedAt(null);
        }

        /**
         * Its first attempt started at {@link #T0} (or the start already set) and runs.
         */
        public JobBuilder running() {
            return started().inState(JobState.RUNNING).finishedAt(null);
        }

        public JobBuilder succeeded() {
            return finished(JobState.SUCCEEDED);
        }

        /** Failed with a {@code JOB_ERROR} unless {@link #error} sets another. */
        public JobBuilder failed() {
            if (error == null) {
                error = new JobError(JobError.JOB_ERROR, "Simulated failure", null);
            }
            return finished(JobState.FAILED);
        }

        public JobBuilder cancelled() {
            return finished(JobState.CANCELLED);
        }

        /**
         * Never started: the batch stopped first. Skipped at {@link #T0} unless
         * {@link #finishedAt} says.
         */
        public JobBuilder skipped() {
            return inState(JobState.SKIPPED).attempts(0).startedAt(null).finishedAt(T0);
        }

        /** Only the state; nothing else changes. */
        public JobBuilder inState(JobState state) {
            this.state = state;
            return this;
        }

        public JobBuilder attempts(int attempts) {
            this.attempts = attempts;
            return this;
        }

        public JobBuilder startedAt(@Nullable Instant startedAt) {
            this.startedAt = startedAt;
            return this;
        }

        public JobBuilder finishedAt(@Nullable Instant finishedAt) {
            this.finishedAt = finishedAt;
            return this;
        }

        public JobBuilder error(@Nullable JobError error) {
            this.error = error;
            return this;
        }

        public JobBuilder result(@Nullable JsonNode result) {
            this.result = result;
            return this;
        }

        /** Reported terminal while its thread was left to finish. */
        public JobBuilder abandoned() {
            this.abandoned = true;
            return this;
        }

        public Job build() {
            return new Job(spec, state, attempts, startedAt, finishedAt, error, result, abandoned);
        }

        private JobBuilder started() {
            if (startedAt == null) {
                startedAt = T0;
            }
            attempts = Math.max(1, attempts);
            return this;
        }

        private JobBuilder finished(JobState terminal) {
            started().inState(terminal);
            if (finishedAt == null) {
                finishedAt = startedAt.plusSeconds(1);
            }
            return this;
        }

    }

}
