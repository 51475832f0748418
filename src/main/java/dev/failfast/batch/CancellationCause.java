package dev.failfast.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Why and when a batch was cancelled. Recorded once per batch (the first cause wins) and
 * never overwritten; only {@code completedAt} is filled in later, when the last running
 * job stopped.
 *
 * @param cause what triggered the cancellation
 * @param jobId the job whose failure triggered it, for JOB_FAILED and
 * MAX_FAILURES_EXCEEDED
 * @param errorType that job's error type
 * @param message that job's error message, or a description of the cause
 * @param reason the reason a client gave when cancelling
 * @param requestedBy the principal that cancelled, for USER_REQUESTED
 * @param requestedAt when the cause was recorded
 * @param completedAt when the last running job became terminal; null while propagation
 * runs
 * @param rule the {@code onError} rule ({@code onError[2]}) whose FAIL_BATCH action
 * recorded it, if one did
 * @param report what the stop did, counted while the running jobs stop; null for a cause
 * recorded before this was kept
 */
public record CancellationCause(CauseType cause, @Nullable String jobId, @Nullable String errorType,
        @Nullable String message, @Nullable String reason, @Nullable String requestedBy, Instant requestedAt,
        @Nullable Instant completedAt, @Nullable String rule, @Nullable StopReport report) {

    public CancellationCause {
        Objects.requireNonNull(cause, "cause");
        Objects.requireNonNull(requestedAt, "requestedAt");
    }

    /** A cause recorded by no rule, with no stop report yet. */
    public CancellationCause(CauseType cause, @Nullable String jobId, @Nullable String errorType,
            @Nullable String message, @Nullable String reason, @Nullable String requestedBy, Instant requestedAt,
            @Nullable Instant completedAt) {
        this(cause, jobId, errorType, message, reason, requestedBy, requestedAt, completedAt, null, null);
    }

    public static CancellationCause jobFailed(CauseType cause, String jobId, JobError error, Instant at) {
        return new CancellationCause(cause, jobId, error.type(), error.message(), null, null, at, null);
    }

    /**
     * A job's failure matched {@code rule}, whose action is FAIL_BATCH: cause JOB_FAILED
     * whatever the batch's tolerance.
     */
    public static CancellationCause failBatchRule(String rule, String jobId, JobError error, Instant at) {
        return new CancellationCause(CauseType.JOB_FAILED, jobId, error.type(),
                rule + " (FAIL_BATCH) matched the failure: " + error.message(), null, null, at, null, rule, null);
    }

    /**
     * One of the batch's policies (tolerance by ratio, success policy) recorded
     * {@code cause} when job {@code jobId} moved; {@code error} is that job's, if it
     * failed.
     */
    public static CancellationCause byPolicy(CauseType cause, @Nullable String jobId, @Nullable JobError error,
            String message, Instant at) {
        return new CancellationCause(cause, jobId, error == null ? null : error.type(), message, null, null, at, null);
    }

    /** The batch's {@code deadline} (from its creation) passed at {@code at}. */
    public static CancellationCause deadlineExceeded(Duration deadline, Instant at) {
        return of(CauseType.DEADLINE_EXCEEDED, "Deadline of " + deadline + " exceeded", null, at);
    }

    public static CancellationCause of(CauseType cause, @Nullable String message, @Nullable String reason, Instant at) {
        return new CancellationCause(cause, null, null, message, reason, null, at, null);
    }

    /** A client, {@code requestedBy}, cancelled the batch at {@code at}. */
    public static CancellationCause userRequested(@Nullable String reason, String requestedBy, Instant at) {
        return new CancellationCause(CauseType.USER_REQUESTED, null, null, "Cancelled by a client", reason, requestedBy,
                at, null);
    }

    public CancellationCause completed(Instant at) {
        return new CancellationCause(cause, jobId, errorType, message, reason, requestedBy, requestedAt, at, rule,
                report);
    }

    /** This cause with its stop report as it stands now. */
    public CancellationCause withReport(StopReport changed) {
        return new CancellationCause(cause, jobId, errorType, message, reason, requestedBy, requestedAt, completedAt,
                rule, changed);
    }

    /**
     * completedAt − requestedAt in milliseconds (fractional), or null while propagation
     * runs.
     */
    public @Nullable Double propagationMillis() {
        return completedAt == null ? null : Duration.between(requestedAt, completedAt).toNanos() / 1_000_000.0;
    }
}
