package dev.failfast.engine;

import dev.failfast.batch.JobState;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which jobs of a terminal batch a redrive runs again: those in one of {@code states},
 * and of them only those named by {@code jobIds} when it is given.
 *
 * @param states job states to run again: some of FAILED, CANCELLED and SKIPPED
 * @param jobIds the jobs to run again, by id; null for every job in {@code states}
 */
public record RedriveSelection(Set<JobState> states, @Nullable List<String> jobIds) {

    /**
     * The states a job can be redriven from: a SUCCEEDED job keeps its result, and
     * PENDING or RUNNING ones are not in a terminal batch.
     */
    public static final Set<JobState> REDRIVABLE = Set
        .copyOf(EnumSet.of(JobState.FAILED, JobState.CANCELLED, JobState.SKIPPED));

    /** Every FAILED, CANCELLED and SKIPPED job: what a redrive with no body runs. */
    public static final RedriveSelection ALL = new RedriveSelection(REDRIVABLE, null);

    public RedriveSelection {
        Objects.requireNonNull(states, "states");
        if (states.isEmpty() || !REDRIVABLE.containsAll(states)) {
            throw new IllegalArgumentException("states must be some of " + REDRIVABLE + ", not " + states);
        }
        if (jobIds != null && jobIds.isEmpty()) {
            throw new IllegalArgumentException("jobIds names no job; null selects every job in states");
        }
        states = Set.copyOf(states);
        jobIds = jobIds == null ? null : List.copyOf(jobIds);
    }

}
