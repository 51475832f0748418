package dev.failfast.batch;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A batch as it stands at one moment: what was asked, where it is, and why it stopped.
 *
 * @param id time-ordered (version 7) UUID
 * @param spec what the client asked for (its job list is not kept here; jobs are stored apart)
 * @param state where the batch is in its life cycle
 * @param createdAt when the batch was accepted
 * @param startedAt when its first job started
 * @param finishedAt when it became terminal
 * @param counts how many jobs are in each state
 * @param cancellation why it was cancelled, once it was
 */
public record Batch(
        UUID id,
        BatchSpec spec,
        BatchState state,
        Instant createdAt,
        @Nullable Instant startedAt,
        @Nullable Instant finishedAt,
        JobCounts counts,
        @Nullable CancellationCause cancellation) {

    public Batch {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(counts, "counts");
    }

    /** This batch after {@code n} of its jobs moved from state {@code from} to {@code to}. */
    public Batch withJobsMoved(JobState from, JobState to, int n) {
        if (n == 0) {
            return this;
        }
        return new Batch(id, spec, state, createdAt, startedAt, finishedAt, counts.moved(from, to, n), cancellation);
    }

    /**
     * The terminal state this batch has reached if nothing is left to do, else null: with a cause,
     * once no job runs, the cause's terminal state; without, once no job waits or runs, FAILED if
     * a job failed and SUCCEEDED otherwise.
     */
    public @Nullable BatchState terminalStateIfDone() {
        if (state.isTerminal()) {
            return null;
        }
        if (cancellation != null) {
            return counts.running() == 0 ? cancellation.cause().terminalState() : null;
        }
        if (counts.pending() > 0 || counts.running() > 0) {
            return null;
        }
        return counts.failed() > 0 ? BatchState.FAILED : BatchState.SUCCEEDED;
    }
}
