package dev.failfast.batch;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Why a job attempt failed.
 *
 * @param type a stable code, such as {@link #TIMEOUT} or {@link #HTTP_STATUS}; job types
 * may add their own, of at most {@value #MAX_TYPE_LENGTH} characters (a longer one is
 * cut)
 * @param message a human readable description, of at most {@value #MAX_MESSAGE_LENGTH}
 * characters (a longer one is cut)
 * @param exception the class name of the exception that ended the attempt, if any
 * @param httpStatus the HTTP status the attempt's target answered, where the failure
 * comes from one (an HTTP job's unexpected status, a 429 or 503 it was deferred by)
 */
public record JobError(String type, String message, @Nullable String exception, @Nullable Integer httpStatus) {

    /** The attempt ran longer than the job's timeout. */
    public static final String TIMEOUT = "TIMEOUT";

    /** The job's code threw an exception. */
    public static final String JOB_ERROR = "JOB_ERROR";

    /** An HTTP job got a status it did not expect. */
    public static final String HTTP_STATUS = "HTTP_STATUS";

    /** An I/O error, such as a refused connection. */
    public static final String IO = "IO";

    /** The job's result was larger than {@code failfast.limits.max-result-size}. */
    public static final String RESULT_TOO_LARGE = "RESULT_TOO_LARGE";

    /** An HTTP job's target is denied by the SSRF guard. */
    public static final String TARGET_DENIED = "TARGET_DENIED";

    /**
     * An HTTP job's secret reference cannot be resolved at an attempt: its secret cannot
     * be read, is not a valid header value, or may no longer be sent there (the settings
     * changed since submission).
     */
    public static final String SECRET_UNAVAILABLE = "SECRET_UNAVAILABLE";

    /**
     * The process (or cluster replica) running the attempt stopped before the attempt
     * ended.
     */
    public static final String INTERRUPTED = "INTERRUPTED";

    /**
     * The remote worker holding the attempt stopped heartbeating, or was stopped, before
     * it reported the attempt's outcome.
     */
    public static final String WORKER_LOST = "WORKER_LOST";

    public static final int MAX_TYPE_LENGTH = 128;

    /**
     * Longest message kept; a longer one is cut. An error message comes from a job's
     * code, which may build it from what a client sent or a target answered: it is
     * stored, returned and logged, so it must stay small whatever they were.
     */
    public static final int MAX_MESSAGE_LENGTH = 4096;

    /** Longest exception class name kept (the database column's size). */
    public static final int MAX_EXCEPTION_LENGTH = 512;

    /**
     * The attempt was cut short because the process running it stopped (a crash, a lost
     * replica).
     */
    public static final JobError OWNER_STOPPED = new JobError(INTERRUPTED,
            "The service stopped while the job was running", null);

    /** An attempt ran longer than its job's {@code timeout}. */
    public static JobError timeout(@Nullable Duration timeout) {
        return new JobError(TIMEOUT, "Attempt exceeded the job's timeout of " + timeout, null);
    }

    /** An error that carries no HTTP status. */
    public JobError(String type, String message, @Nullable String exception) {
        this(type, message, exception, null);
    }

    public JobError {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(message, "message");
        type = storable(type, MAX_TYPE_LENGTH);
        message = storable(message, MAX_MESSAGE_LENGTH);
        exception = exception == null ? null : storable(exception, MAX_EXCEPTION_LENGTH);
    }

    /**
     * Cut to {@code max} characters (never between the halves of a surrogate pair), with
     * every NUL replaced by U+FFFD: PostgreSQL cannot store a NUL in text, and a write
     * that fails on one would fail again at every retry.
     */
    private static String storable(String value, int max) {
        String cut = value;
        if (cut.length() > max) {
            int end = Character.isHighSurrogate(cut.charAt(max - 1)) ? max - 1 : max;
            cut = cut.substring(0, end);
        }
        return cut.indexOf('\0') < 0 ? cut : cut.replace('\0', '\uFFFD');
    }
}
