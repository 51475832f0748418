package dev.failfast.engine;

import dev.failfast.batch.Batch;
import dev.failfast.batch.Job;
import dev.failfast.job.RetryLaterException;
import dev.failfast.settings.FailfastProperties;
import java.time.Duration;
import java.time.Instant;

/**
 * How both engines honour a target's request to be called again later
 * ({@link RetryLaterException}, such as an HTTP 429 or 503 with {@code Retry-After}): as
 * backpressure, not as a failure. The attempt is run again after the wait it asked for,
 * at least {@code minWait}, cut to {@code maxWait} and never past the batch's deadline,
 * and counts no failed attempt; a job may wait so {@code maxPerJob} times, after which
 * such a request is a failed attempt like any other.
 * <p>
 * The floor matters because deferrals are not counted in
 * {@code failfast.limits.max-attempts-per-batch}: without it a target answering
 * {@code 429} with {@code Retry-After: 0} (or a date in the past) would have each job
 * called again at once, {@code maxPerJob} times, the very amplification the retry floor
 * refuses for failed attempts.
 *
 * @param minWait {@code failfast.limits.min-retry-backoff}: the shortest wait, whatever
 * the target asked
 * @param maxWait {@code failfast.engine.max-retry-later}
 * @param maxPerJob {@code failfast.engine.max-deferrals-per-job}
 */
public record Deferrals(Duration minWait, Duration maxWait, int maxPerJob) {

    /** No deferral at all: every request to wait is a failed attempt. */
    public static final Deferrals NONE = new Deferrals(Duration.ZERO, Duration.ZERO, 0);

    public static Deferrals of(FailfastProperties properties) {
        FailfastProperties.Engine engine = properties.engine();
        return new Deferrals(properties.limits().minRetryBackoff(), engine.maxRetryLater(),
                engine.maxDeferralsPerJob());
    }

    /**
     * Whether {@code job}, whose attempt ended asking to be called later, may wait once
     * more.
     */
    boolean allows(Job job) {
        return job.deferrals() < maxPerJob;
    }

    /**
     * How long the deferred job waits: what it asked for, at least {@code minWait} (a
     * {@code Retry-After: 0} waits the floor too), at most {@code maxWait}, and ending by
     * its batch's deadline at the latest (where the deadline cancels it, as it cancels a
     * job waiting out a retry backoff).
     */
    public Duration waitFor(Duration asked, Batch batch, Instant now) {
        return backoff(asked, batch, now).delay();
    }

    /** {@link #waitFor}, with what made the wait what it is, for the job's history. */
    public Backoff backoff(Duration asked, Batch batch, Instant now) {
        Duration wait = asked;
        String reason = "Retry-After " + asked + " asked";
        if (wait.compareTo(minWait) < 0) {
            wait = minWait;
            reason += ", raised to " + minWait + " (failfast.limits.min-retry-backoff)";
        }
        if (wait.compareTo(maxWait) > 0) {
            wait = maxWait;
            reason += ", capped to " + maxWait + " (failfast.engine.max-retry-later)";
        }
        Instant deadline = batch.deadlineAt();
        if (deadline != null) {
            Duration untilDeadline = Duration.between(now, deadline);
            if (untilDeadline.compareTo(wait) < 0) {
                wait = untilDeadline.isNegative() ? Duration.ZERO : untilDeadline;
                reason += ", cut to " + wait + " by the batch's deadline";
            }
        }
        return new Backoff(wait, reason);
    }

}
