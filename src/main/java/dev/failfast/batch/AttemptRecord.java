package dev.failfast.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One attempt of a job, as its history keeps it ({@link Job#history()}).
 *
 * @param run the batch run it belongs to (1, then one more per redrive)
 * @param number 1 for the run's first attempt of the job
 * @param startedAt when it started
 * @param endedAt when it ended; null while it runs
 * @param end how it ended; null while it runs
 * @param error why it failed (with the HTTP status where there is one); its message cut
 * to {@value #MAX_MESSAGE_LENGTH} characters, so that a job's whole history stays small
 * (the job's own {@code error} keeps the last one whole)
 * @param rule the {@code onError} rule that decided what its failure did
 * ({@code onError[1]}), if one matched
 * @param backoff how long the job waited before its next attempt, if there was one
 * @param backoffReason why that wait: the retry policy that chose it, or the target's
 * {@code Retry-After} (and the cap applied)
 * @param abandoned it ignored its cancellation or timeout past the grace period and its
 * thread was left to finish
 */
public record AttemptRecord(int run, int number, Instant startedAt, @Nullable Instant endedAt, @Nullable End end,
        @Nullable JobError error, @Nullable String rule, @Nullable Duration backoff, @Nullable String backoffReason,
        boolean abandoned) {

    /** Longest error message a record keeps; a longer one is cut. */
    public static final int MAX_MESSAGE_LENGTH = 1024;

    public AttemptRecord {
        Objects.requireNonNull(startedAt, "startedAt");
        if (error != null && error.message().length() > MAX_MESSAGE_LENGTH) {
            String message = error.message();
            int cut = Character.isHighSurrogate(message.charAt(MAX_MESSAGE_LENGTH - 1)) ? MAX_MESSAGE_LENGTH - 1
                    : MAX_MESSAGE_LENGTH;
            error = new JobError(error.type(), message.substring(0, cut), error.exception(), error.httpStatus());
        }
    }

    /** endedAt − startedAt, or null while it runs. */
    public @Nullable Duration elapsed() {
        return endedAt == null ? null : Duration.between(startedAt, endedAt);
    }

    /** How an attempt ended. */
    public enum End {

        /** Its handler returned. */
        SUCCEEDED,
        /** Its handler failed. */
        FAILED,
        /** It ran longer than the job's timeout. */
        TIMED_OUT,
        /** Its target asked to be called again later; not counted as a failure. */
        DEFERRED,
        /** The batch's cancellation stopped it. */
        CANCELLED,
        /** The process running it stopped (a crash, a lost replica). */
        INTERRUPTED

    }

}
