package dev.failfast.engine.cluster;

import dev.failfast.engine.JobRun;
import dev.failfast.engine.Outcome;

/** Something the outcome writer writes about a job this replica holds. */
sealed interface Settlement {

    HeldBatch batch();

    JobRun run();

    /** An attempt ended: its handler returned, or it was abandoned. */
    record Ended(HeldBatch batch, JobRun run, Outcome outcome) implements Settlement {
    }

    /**
     * The batch got its cause after the job was claimed (or its retry written) and before
     * its attempt started.
     */
    record NotStarted(HeldBatch batch, JobRun run) implements Settlement {
    }

    /**
     * The replica is leaving (it shuts down) and hands the job back to be claimed again:
     * it waited out a retry backoff ({@code ran}: its failed attempt counts), or its
     * claimed attempt never got a thread (not counted).
     */
    record HandedBack(HeldBatch batch, JobRun run, boolean ran) implements Settlement {
    }

    /** The batch was cancelled while the job waited out a retry backoff. */
    record RetryCancelled(HeldBatch batch, JobRun run) implements Settlement {
    }

    /** A retry came due: its attempt number is written before it starts. */
    record RetryStarted(HeldBatch batch, JobRun run, int attempt) implements Settlement {
    }

}
