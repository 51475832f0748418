package dev.failfast.worker;

import java.time.Duration;

import org.jspecify.annotations.Nullable;

/**
 * The engine's side of one offered attempt: the handler waits on it, cancels it, and
 * closes it when the attempt is over, after which the registry forgets it and a worker's
 * late report is refused.
 */
public interface OfferedAttempt extends AutoCloseable {

    /**
     * Waits until the attempt's worker reports or is lost.
     * @return the report, or null when {@code timeout} passed first
     */
    @Nullable AttemptReport awaitReport(Duration timeout) throws InterruptedException;

    /**
     * Cancels the attempt. One no worker claimed yet is withdrawn, and no worker ever
     * gets it; one a worker holds is marked cancelled and its worker is told at once.
     * @param reason why, as the worker is told ({@code BATCH_CANCELLED}, {@code TIMEOUT})
     * @return true when the attempt had reached a worker, so a report is worth waiting
     * for
     */
    boolean cancel(String reason);

    @Override
    void close();

}
