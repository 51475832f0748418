package dev.failfast.engine.local;

import dev.failfast.engine.AttemptTimers;
import dev.failfast.engine.Deferrals;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * What every {@link BatchRun} shares with the engine.
 *
 * @param clock the source of every timestamp
 * @param timers timeouts, deadlines, retry backoffs and cancel grace periods
 * @param publisher writes changes to the store and tells the listeners
 * @param pendingJobs jobs waiting to start, in all and by tenant, for admission control
 * @param dispatcher hands the batches' jobs to the executor; called outside the batch
 * lock
 * @param terminated called (under the batch lock, once its terminal state is published)
 * when a batch ended
 * @param deferrals how long a job waits when its target asks to be called later
 */
record RunContext(Clock clock, AttemptTimers timers, BatchPublisher publisher, CountedPendingJobs pendingJobs,
        Dispatcher dispatcher, Consumer<BatchRun> terminated, Deferrals deferrals) {
}
