package dev.failfast.engine;

import dev.failfast.batch.Job;
import dev.failfast.batch.RetryPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * The wait before a job's next attempt and why it is that long, as both engines choose it
 * and keep it on the ended attempt's record ({@link Job#backoff}).
 *
 * @param delay how long the job waits
 * @param reason what chose the wait, for a person reading the job's history
 */
public record Backoff(Duration delay, String reason) {

    public Backoff {
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(reason, "reason");
    }

    /**
     * The job's retry policy's wait before its next counted attempt, {@code job} being
     * the job as its failed attempt left it.
     */
    public static Backoff retry(Job job) {
        RetryPolicy policy = job.spec().retry();
        int next = job.countedAttempts() + 1;
        Duration wait = policy.backoffBefore(next);
        return new Backoff(wait,
                "job retry policy: attempt " + next + " of " + policy.maxAttempts() + ", backoff " + wait);
    }

}
