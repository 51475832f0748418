package dev.failfast.batch;

/** What a job failure does to its batch. */
public enum FailurePolicy {

    /** Cancel the batch once more than {@code maxFailures} jobs have failed. */
    FAIL_FAST,
    /** Run every job; the batch is FAILED at the end if any job failed. */
    CONTINUE

}
