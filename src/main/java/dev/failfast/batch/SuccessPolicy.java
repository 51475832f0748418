package dev.failfast.batch;

import java.util.Set;

/**
 * When a batch has succeeded before all its jobs ran ({@code succeedWhen}): once met, the
 * batch ends SUCCEEDED and its other jobs are stopped exactly as a failure stops them,
 * with cause {@link CauseType#SUCCESS_POLICY_MET}.
 */
public sealed interface SuccessPolicy {

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
    }

    /** Every one of these jobs succeeded. */
    record JobIds(Set<String> ids) implements SuccessPolicy {

        public JobIds {
            ids = Set.copyOf(ids);
            if (ids.isEmpty()) {
                throw new IllegalArgumentException("ids must not be empty");
            }
        }
    }

}
