package dev.failfast.batch;

/**
 * What a batch's policies and its stop report count beyond the jobs per state. Kept as
 * counters, as {@link JobCounts} are, so that judging a policy costs O(1) whatever the
 * batch's size.
 *
 * @param ignoredFailures FAILED jobs whose failure an {@code IGNORE} rule excused: they
 * are in {@link JobCounts#failed()} but count toward neither tolerance nor the batch's
 * end state
 * @param listedSucceeded jobs named by a {@code succeedWhen.jobIds} policy that succeeded
 * @param succeededMillis the summed durations of the succeeded jobs' last attempts, for
 * the stop report's estimate of the work saved
 */
public record JobTally(int ignoredFailures, int listedSucceeded, long succeededMillis) {

    public static final JobTally ZERO = new JobTally(0, 0, 0);

    /** The tally after a job whose last attempt took {@code millis} succeeded. */
    public JobTally withSucceeded(long millis) {
        return new JobTally(ignoredFailures, listedSucceeded, succeededMillis + Math.max(0, millis));
    }

}
