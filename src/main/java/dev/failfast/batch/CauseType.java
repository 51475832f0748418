package dev.failfast.batch;

/** Why a batch was cancelled. */
public enum CauseType {

    /** A job failed under FAIL_FAST with {@code maxFailures = 0}. */
    JOB_FAILED,
    /** More than {@code maxFailures} jobs failed under FAIL_FAST. */
    MAX_FAILURES_EXCEEDED,
    /**
     * Failed jobs exceeded {@code maxFailureRatio} of the finished ones, or can no longer
     * stay within it whatever the other jobs do.
     */
    FAILURE_RATIO_EXCEEDED,
    /**
     * The batch's {@code succeedWhen} policy was met: it ends SUCCEEDED and its other
     * jobs are stopped.
     */
    SUCCESS_POLICY_MET,
    /**
     * The batch's {@code succeedWhen} policy can no longer be met whatever the other jobs
     * do.
     */
    SUCCESS_POLICY_UNREACHABLE,
    /** A client cancelled the batch through the API. */
    USER_REQUESTED,
    /** The batch's deadline passed before it finished. */
    DEADLINE_EXCEEDED,
    /** The service shut down while the batch was active. */
    SHUTDOWN,
    /**
     * The process that ran the batch stopped without settling it (crash, kill -9); found
     * on restart.
     */
    OWNER_LOST;

    /** The terminal state a batch cancelled for this cause ends in. */
    public BatchState terminalState() {
        return switch (this) {
            case USER_REQUESTED -> BatchState.CANCELLED;
            case SUCCESS_POLICY_MET -> BatchState.SUCCEEDED;
            case JOB_FAILED, MAX_FAILURES_EXCEEDED, FAILURE_RATIO_EXCEEDED, SUCCESS_POLICY_UNREACHABLE,
                    DEADLINE_EXCEEDED, SHUTDOWN, OWNER_LOST ->
                BatchState.FAILED;
        };
    }

}
