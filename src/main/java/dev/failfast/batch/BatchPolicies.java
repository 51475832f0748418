package dev.failfast.batch;

import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A batch's policies beyond {@code failurePolicy} and {@code maxFailures}: a tolerance by
 * ratio, rules per error, and when the batch has succeeded early.
 *
 * @param maxFailureRatio under FAIL_FAST, the batch is cancelled (cause
 * {@link CauseType#FAILURE_RATIO_EXCEEDED}) once failed / finished jobs exceeds it with
 * at least {@code minJobsForRatio} jobs finished, or as soon as it can no longer be met
 * whatever the other jobs do; null for no ratio
 * @param minJobsForRatio finished jobs (succeeded or failed, ignored failures not
 * included) before the ratio is judged on what finished; 0 when not given: the ratio is
 * then judged only against the whole batch, so it stops once failure is certain
 * @param onError rules tried in order on each failed attempt; the first that matches
 * decides
 * @param succeedWhen when the batch has succeeded before all its jobs ran; null: once all
 * ran
 */
public record BatchPolicies(@Nullable Double maxFailureRatio, int minJobsForRatio, List<ErrorRule> onError,
        @Nullable SuccessPolicy succeedWhen) {

    /** No policy beyond {@code failurePolicy} and {@code maxFailures}. */
    public static final BatchPolicies NONE = new BatchPolicies(null, 0, List.of(), null);

    public BatchPolicies {
        onError = List.copyOf(onError);
        if (maxFailureRatio != null && !(maxFailureRatio >= 0.0 && maxFailureRatio <= 1.0)) {
            throw new IllegalArgumentException("maxFailureRatio must be between 0 and 1, was " + maxFailureRatio);
        }
        if (minJobsForRatio < 0) {
            throw new IllegalArgumentException("minJobsForRatio must not be negative, was " + minJobsForRatio);
        }
    }

    /**
     * Whether counted failures cross {@code maxFailureRatio}, and how; O(1), from
     * counters. Exceeded: at least {@code minJobsForRatio} jobs finished and more than
     * the ratio of them failed. Certain: even if every job still to finish succeeds, more
     * than the ratio of the batch's counted jobs will have failed, so there is no point
     * in waiting (with {@code minJobsForRatio} 0 this is the only check). Ignored
     * failures, cancelled and skipped jobs are in no figure.
     * @param failed failed jobs whose failure counts
     * @param succeeded succeeded jobs
     * @param open jobs still to finish: pending or running
     * @return what was crossed, with the figures, for the cause's message; null while the
     * batch is within the ratio (or has none)
     */
    public @Nullable String failureRatioCrossed(int failed, int succeeded, int open) {
        if (maxFailureRatio == null || failed == 0) {
            return null;
        }
        double ratio = maxFailureRatio;
        int finished = failed + succeeded;
        if (minJobsForRatio > 0 && finished >= minJobsForRatio && (double) failed / finished > ratio) {
            return String.format(Locale.ROOT, "%d of %d finished jobs failed (%.1f%%), above maxFailureRatio %s",
                    failed, finished, 100.0 * failed / finished, ratio);
        }
        int counted = finished + open;
        if ((double) failed / counted > ratio) {
            return String.format(Locale.ROOT,
                    "%d of %d jobs failed (%.1f%%) and %d are still to finish: even if they all succeed, the batch "
                            + "can no longer stay within maxFailureRatio %s",
                    failed, counted, 100.0 * failed / counted, open, ratio);
        }
        return null;
    }

    /** The first rule of {@code onError} that matches {@code error}, or null. */
    public @Nullable MatchedRule ruleFor(JobError error) {
        for (int i = 0; i < onError.size(); i++) {
            if (onError.get(i).matches(error)) {
                return new MatchedRule(i, onError.get(i));
            }
        }
        return null;
    }

    /**
     * A rule that matched, and its place in {@code onError} (which a client reads as
     * {@code onError[index]}).
     */
    public record MatchedRule(int index, ErrorRule rule) {

        public String path() {
            return "onError[" + index + "]";
        }
    }

}
