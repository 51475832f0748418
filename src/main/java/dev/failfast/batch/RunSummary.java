package dev.failfast.batch;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One earlier run of a batch: the batch as it ended before a redrive ran part of it
 * again.
 *
 * @param number 1 for the batch's first run
 * @param queuedAt when the run was submitted (the batch's creation for run 1, the
 * redrive's request after)
 * @param startedAt when its first job started; null if none did
 * @param finishedAt when it ended
 * @param state the terminal state it ended in
 * @param cause why it was stopped, if it was
 * @param redrive the redrive that started it; null for run 1
 */
public record RunSummary(int number, Instant queuedAt, @Nullable Instant startedAt, Instant finishedAt,
        BatchState state, @Nullable CancellationCause cause, @Nullable Redrive redrive) {

    public RunSummary {
        Objects.requireNonNull(queuedAt, "queuedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
        Objects.requireNonNull(state, "state");
        if (!state.isTerminal()) {
            throw new IllegalArgumentException("a past run ended: " + state + " is not terminal");
        }
        if ((number == 1) != (redrive == null)) {
            throw new IllegalArgumentException("every run but the first was started by a redrive");
        }
    }
}
