package dev.failfast.batch;

import java.time.Duration;
import java.util.Objects;

/**
 * How often a job is attempted and how long to wait between attempts.
 *
 * @param maxAttempts attempts in all, the first included (1 = no retry)
 * @param backoff wait before the second attempt
 * @param multiplier factor applied to the wait after each further attempt
 * @param maxBackoff upper bound of the wait
 */
public record RetryPolicy(int maxAttempts, Duration backoff, double multiplier, Duration maxBackoff) {

    public static final RetryPolicy NONE = new RetryPolicy(1, Duration.ZERO, 1.0, Duration.ZERO);

    public RetryPolicy {
        Objects.requireNonNull(backoff, "backoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (multiplier < 1.0) {
            throw new IllegalArgumentException("multiplier must be at least 1, was " + multiplier);
        }
    }

    /** The wait before attempt number {@code nextAttempt} (2 for the first retry). */
    public Duration backoffBefore(int nextAttempt) {
        double factor = Math.pow(multiplier, Math.max(0, nextAttempt - 2));
        double nanos = backoff.toNanos() * factor;
        long capped = (long) Math.min(nanos, (double) maxBackoff.toNanos());
        return Duration.ofNanos(capped);
    }
}
