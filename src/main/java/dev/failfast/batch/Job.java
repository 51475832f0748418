package dev.failfast.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A job as it stands at one moment.
 *
 * @param spec what the client asked the job to do
 * @param state where the job is in its life cycle
 * @param attempts attempts started so far
 * @param startedAt when the first attempt started
 * @param finishedAt when the job became terminal
 * @param error why the last attempt failed; kept while a retry is pending
 * @param result what the job returned, small JSON
 * @param abandoned true when the job ignored cancellation or its timeout past the grace period and
 *     was reported terminal while its thread was left to finish
 */
public record Job(
        JobSpec spec,
        JobState state,
        int attempts,
        @Nullable Instant startedAt,
        @Nullable Instant finishedAt,
        @Nullable JobError error,
        @Nullable JsonNode result,
        boolean abandoned) {

    public Job {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(state, "state");
    }

    public static Job pending(JobSpec spec) {
        return new Job(spec, JobState.PENDING, 0, null, null, null, null, false);
    }

    public String id() {
        return spec.id();
    }

    /** finishedAt − startedAt in milliseconds, or null until the job ran and finished. */
    public @Nullable Long durationMillis() {
        return startedAt == null || finishedAt == null ? null : Duration.between(startedAt, finishedAt).toMillis();
    }
}
