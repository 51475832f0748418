package dev.failfast.batch;

/** What an {@link ErrorRule} that matches a job's failed attempt does with it. */
public enum ErrorAction {

    /**
     * The job fails (no retry) and the batch is cancelled at once, whatever its
     * tolerance.
     */
    FAIL_BATCH,
    /**
     * The job fails (no retry) and its failure counts toward the batch's tolerance: what
     * an error no rule matches does once the job's own retries are used up.
     */
    COUNT,
    /**
     * The job fails (no retry) but its failure never counts: not toward the tolerance,
     * not toward the batch's end state.
     */
    IGNORE,
    /**
     * The attempt is retried, under the rule's retry policy if it has one, else the
     * job's; once that policy's attempts are used up the failure counts.
     */
    RETRY

}
