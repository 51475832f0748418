package dev.failfast.engine;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.Lock;
import java.util.function.Consumer;
import org.springframework.scheduling.TaskScheduler;

/**
 * The timers of attempts, the same sequence for both engines: at the job's timeout the
 * attempt's token is cancelled (its handler is interrupted); an attempt still live one
 * cancel grace period later is handed over to be abandoned. A batch's cancellation starts
 * the same grace period for all its attempts ({@link #afterGrace}).
 */
public final class AttemptTimers {

    private final TaskScheduler scheduler;

    private final Clock clock;

    private final Duration cancelGrace;

    public AttemptTimers(TaskScheduler scheduler, Clock clock, Duration cancelGrace) {
        this.scheduler = scheduler;
        this.clock = clock;
        this.cancelGrace = cancelGrace;
    }

    /**
     * Arms the attempt's timeout if its job has one. Call with {@code batchLock} held,
     * the lock that guards the attempt; {@code abandon} is called, without it, once the
     * timed-out attempt ignored its interrupt for the grace period, and must check under
     * the lock that it is still live.
     */
    public void armTimeout(Attempt attempt, Lock batchLock, Consumer<Attempt> abandon) {
        Duration timeout = attempt.job().job().spec().timeout();
        if (timeout != null) {
            attempt.timeoutTimer(scheduler.schedule(() -> timedOut(attempt, batchLock, abandon), now().plus(timeout)));
        }
    }

    private void timedOut(Attempt attempt, Lock batchLock, Consumer<Attempt> abandon) {
        batchLock.lock();
        try {
            if (!attempt.isLive()) {
                return;
            }
            attempt.abandonTimer(afterGrace(() -> abandon.accept(attempt)));
        }
        finally {
            batchLock.unlock();
        }
        attempt.token().cancel(StopReason.TIMEOUT);
    }

    /** Runs {@code task} once the cancel grace period has passed. */
    public ScheduledFuture<?> afterGrace(Runnable task) {
        return scheduler.schedule(task, now().plus(cancelGrace));
    }

    /** Runs {@code task} at {@code at} (a retry backoff's end, a batch's deadline). */
    public ScheduledFuture<?> at(Instant at, Runnable task) {
        return scheduler.schedule(task, at);
    }

    /** Runs {@code task} once {@code delay} has passed. */
    public ScheduledFuture<?> after(Duration delay, Runnable task) {
        return scheduler.schedule(task, now().plus(delay));
    }

    public Duration cancelGrace() {
        return cancelGrace;
    }

    private Instant now() {
        return clock.instant();
    }

}
