package dev.failfast.batch;

/**
 * How many of a batch's jobs are in each state. Kept as counters, so reading it costs
 * O(1).
 */
public record JobCounts(int total, int pending, int running, int succeeded, int failed, int cancelled, int skipped) {

    public static JobCounts allPending(int total) {
        return new JobCounts(total, total, 0, 0, 0, 0, 0);
    }

    /** The counts after one job moved from {@code from} to {@code to}. */
    public JobCounts moved(JobState from, JobState to) {
        return adjust(from, -1).adjust(to, 1);
    }

    /** The counts after {@code n} jobs moved from {@code from} to {@code to}. */
    public JobCounts moved(JobState from, JobState to, int n) {
        return adjust(from, -n).adjust(to, n);
    }

    public int of(JobState state) {
        return switch (state) {
            case PENDING -> pending;
            case RUNNING -> running;
            case SUCCEEDED -> succeeded;
            case FAILED -> failed;
            case CANCELLED -> cancelled;
            case SKIPPED -> skipped;
        };
    }

    private JobCounts adjust(JobState state, int delta) {
        return switch (state) {
            case PENDING -> new JobCounts(total, pending + delta, running, succeeded, failed, cancelled, skipped);
            case RUNNING -> new JobCounts(total, pending, running + delta, succeeded, failed, cancelled, skipped);
            case SUCCEEDED -> new JobCounts(total, pending, running, succeeded + delta, failed, cancelled, skipped);
            case FAILED -> new JobCounts(total, pending, running, succeeded, failed + delta, cancelled, skipped);
            case CANCELLED -> new JobCounts(total, pending, running, succeeded, failed, cancelled + delta, skipped);
            case SKIPPED -> new JobCounts(total, pending, running, succeeded, failed, cancelled, skipped + delta);
        };
    }
}
