package dev.failfast.engine;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.springframework.scheduling.TaskScheduler;

/**
 * What every {@link BatchRun} shares with the engine.
 *
 * @param clock the source of every timestamp
 * @param scheduler runs timeouts, deadlines, retry backoffs and cancel grace periods
 * @param cancelGrace how long a job may ignore cancellation before it is abandoned
 * @param publisher writes changes to the store and tells the listeners
 * @param pendingJobs jobs waiting to start over all batches, for admission control
 * @param dispatchable called (outside the batch lock) when a batch has a job ready to dispatch
 * @param terminated called (under the batch lock) when a batch became terminal
 */
record RunContext(
        Clock clock,
        TaskScheduler scheduler,
        Duration cancelGrace,
        BatchPublisher publisher,
        AtomicLong pendingJobs,
        Consumer<BatchRun> dispatchable,
        Consumer<BatchRun> terminated) {}
