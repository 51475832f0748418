package dev.failfast.batch;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * When a batch has succeeded before all its jobs ran ({@code succeedWhen}): once met, the
 * batch ends SUCCEEDED and its other jobs are stopped exactly as a failure stops them,
 * with cause {@link CauseType#SUCCESS_POLICY_MET}.
 */
public sealed interface SuccessPolicy {

    /**
     * Whether the batch has met this policy, its counts and tally as they are now; O(1).
     * @return the cause's message if it has, else null
     */
    @Nullable String metBy(JobCounts counts, JobTally tally);

    /**
     * Whether this policy can no longer be met now that {@code ended} ended in a state
     * other than SUCCEEDED (its move already counted); O(1).
     * @return the cause's message if it can no longer be met, else null
     */
    @Nullable String unreachableAfter(Job ended, JobCounts counts);

    /**
     * At least {@code count} jobs succeeded ({@code 1}: the first success wins, a race of
     * mirrors).
     */
    record MinSucceeded(int count) implements SuccessPolicy {

        public MinSucceeded {
            if (count < 1) {
                throw new IllegalArgumentException("count must be at least 1, was " + count);
            }
        }

        @Override
        public @Nullable String metBy(JobCounts counts, JobTally tally) {
            return counts.succeeded() >= count
                    ? counts.succeeded() + " job(s) succeeded, meeting succeedWhen.minSucceeded " + count : null;
        }

        @Override
        public @Nullable String unreachableAfter(Job ended, JobCounts counts) {
            int possible = counts.succeeded() + counts.pending() + counts.running();
            return possible < count ? "Job '" + ended.id() + "' ended " + ended.state() + ": at most " + possible
                    + " job(s) can succeed (" + counts.succeeded() + " succeeded, "
                    + (counts.pending() + counts.running()) + " still to finish), short of succeedWhen.minSucceeded "
                    + count : null;
        }
    }

    /** Every one of these jobs succeeded; kept in the order a client gave them. */
    record JobIds(Set<String> ids) implements SuccessPolicy {

        public JobIds {
            ids.forEach(id -> Objects.requireNonNull(id, "ids"));
            ids = Collections.unmodifiableSet(new LinkedHashSet<>(ids));
            if (ids.isEmpty()) {
                throw new IllegalArgumentException("ids must not be empty");
            }
        }

        @Override
        public @Nullable String metBy(JobCounts counts, JobTally tally) {
            return tally.listedSucceeded() >= ids.size()
                    ? "Every job of succeedWhen.jobIds (" + ids.size() + ") succeeded" : null;
        }

        @Override
        public @Nullable String unreachableAfter(Job ended, JobCounts counts) {
            return ids.contains(ended.id())
                    ? "Job '" + ended.id() + "' of succeedWhen.jobIds ended " + ended.state()
                            + (ended.ignored() ? " (its failure ignored)" : "") + ": succeedWhen can no longer be met"
                    : null;
        }
    }

}
