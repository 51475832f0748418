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

    public JobTally {
        if (ignoredFailures < 0 || listedSucceeded < 0 || succeededMillis < 0) {
            throw new IllegalArgumentException(
                    "a tally is never negative: " + ignoredFailures + ", " + listedSucceeded + ", " + succeededMillis);
        }
    }

    /**
     * The tally after one job moved from {@code before}'s state to {@code after}'s: what
     * {@code after} counts is added and what {@code before} counted taken off (a job
     * redriven from FAILED to PENDING is no longer an ignored failure). The durations are
     * kept by whoever keeps {@code succeededMillis}.
     */
    JobTally moved(Job before, Job after, BatchPolicies policies) {
        int ignored = ignoredFailure(after) - ignoredFailure(before);
        int listed = listedSuccess(after, policies) - listedSuccess(before, policies);
        if (ignored == 0 && listed == 0) {
            return this;
        }
        return new JobTally(ignoredFailures + ignored, listedSucceeded + listed, succeededMillis);
    }

    /**
     * The tally after a job that was PENDING or RUNNING, which no tally counts, moved to
     * {@code after}'s state.
     */
    JobTally movedFromUnfinished(Job after, BatchPolicies policies) {
        int ignored = ignoredFailure(after);
        int listed = listedSuccess(after, policies);
        if (ignored == 0 && listed == 0) {
            return this;
        }
        return new JobTally(ignoredFailures + ignored, listedSucceeded + listed, succeededMillis);
    }

    private static int ignoredFailure(Job job) {
        return job.state() == JobState.FAILED && job.ignored() ? 1 : 0;
    }

    private static int listedSuccess(Job job, BatchPolicies policies) {
        return job.state() == JobState.SUCCEEDED && policies.succeedWhen() instanceof SuccessPolicy.JobIds listed
                && listed.ids().contains(job.id()) ? 1 : 0;
    }

    /** The tally after a job whose last attempt took {@code millis} succeeded. */
    public JobTally withSucceeded(long millis) {
        return new JobTally(ignoredFailures, listedSucceeded, succeededMillis + Math.max(0, millis));
    }

}
