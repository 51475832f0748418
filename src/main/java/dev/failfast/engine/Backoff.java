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
     * {@code policy}'s wait before the job's next counted attempt, {@code job} being the
     * job as its failed attempt left it.
     * @param source which policy it is, for the reason: the job's or a rule's
     */
    static Backoff retry(Job job, RetryPolicy policy, String source) {
        int next = job.countedAttempts() + 1;
        Duration wait = policy.backoffBefore(next);
        return new Backoff(wait, source + ": attempt " + next + " of " + policy.maxAttempts() + ", backoff " + wait);
    }

}
