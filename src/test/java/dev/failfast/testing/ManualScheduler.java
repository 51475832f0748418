package dev.failfast.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.Trigger;
import org.springframework.scheduling.support.SimpleTriggerContext;

/**
 * A {@link TaskScheduler} that runs nothing by itself: tasks wait until the test moves
 * time with {@link #advance(Duration)} or calls {@link #runDue()}, and then run on the
 * test's own thread, in due-time order (ties in the order they were scheduled). Engine
 * rules that hang on timers (timeouts, deadlines, backoffs, grace periods) can so be
 * unit-tested without Spring, threads or waiting. db-scheduler's {@code ManualScheduler}
 * is the model.
 *
 * <p>
 * Code under test may schedule and cancel from any thread. A task's exception does not
 * stop the others: it completes that task's future exceptionally (and ends a repeating
 * task, as a {@code
 * ScheduledExecutorService} does) and is kept in {@link #failures()} for the test to look
 * at.
 */
public final class ManualScheduler implements TaskScheduler {

    private final SettableClock clock;

    private final PriorityQueue<Task> queue = new PriorityQueue<>(
            Comparator.comparing((Task t) -> t.due).thenComparingLong(t -> t.order));

    private final List<Throwable> failures = new ArrayList<>();

    private final AtomicLong sequence = new AtomicLong();

    /**
     * The thread running tasks, if any: advancing from inside a task would run tasks
     * within a task.
     */
    private @Nullable Thread running;

    public ManualScheduler(SettableClock clock) {
        this.clock = clock;
    }

    public ManualScheduler() {
        this(new SettableClock());
    }

    @Override
    public SettableClock getClock() {
        return clock;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable task, Instant startTime) {
        return enqueue(new Task(task, startTime, Repeat.NONE));
    }

    /**
     * Runs at the times the trigger gives, asked again after each run; stops when it
     * gives null.
     */
    @Override
    public @Nullable ScheduledFuture<?> schedule(Runnable task, Trigger trigger) {
        SimpleTriggerContext context = new SimpleTriggerContext(clock);
        Instant first = trigger.nextExecution(context);
        if (first == null) {
            return null; // as ThreadPoolTaskScheduler does for a trigger that never fires
        }
        return enqueue(new Task(task, first, new Repeat.ByTrigger(trigger, context)));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Instant startTime, Duration period) {
        return enqueue(new Task(task, startTime, new Repeat.FixedRate(positive(period))));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Duration period) {
        return scheduleAtFixedRate(task, clock.instant(), period);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Instant startTime, Duration delay) {
        return enqueue(new Task(task, startTime, new Repeat.FixedDelay(positive(delay))));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration delay) {
        return scheduleWithFixedDelay(task, clock.instant(), delay);
    }

    /**
     * Moves time forward by {@code duration} and runs every task due by then, including
     * tasks that running ones schedule within that time. The clock steps to each task's
     * due time before the task runs (so a task sees the time it was due at, and a
     * repeating task runs once per period), and ends at the old time plus
     * {@code duration}.
     * @return how many tasks ran
     */
    public int advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("time does not go back: advance(" + duration + ")");
        }
        Instant target = clock.instant().plus(duration);
        int ran = runUntil(target);
        if (clock.instant().isBefore(target)) { // a task may have moved the clock further
                                                // itself
            clock.set(target);
        }
        return ran;
    }

    /**
     * Runs every task due at the clock's current time, including those that running tasks
     * schedule as due.
     */
    public int runDue() {
        return runUntil(clock.instant());
    }

    /**
     * Tasks waiting to run: scheduled, neither cancelled nor finished (a repeating task
     * counts once).
     */
    public synchronized int pending() {
        return (int) queue.stream().filter(t -> !t.isDone()).count();
    }

    /** When the next task is due, if any waits. */
    public synchronized Optional<Instant> nextDue() {
        return queue.stream().filter(t -> !t.isDone()).map(t -> t.due).min(Instant::compareTo);
    }

    /** Exceptions that tasks threw, in the order they ran. */
    public synchronized List<Throwable> failures() {
        return List.copyOf(failures);
    }

    private int runUntil(Instant target) {
        synchronized (this) {
            if (running != null) {
                throw new IllegalStateException("advance() or runDue() called from a task that " + running.getName()
                        + " is running; schedule the follow-up instead");
            }
            running = Thread.currentThread();
        }
        try {
            int ran = 0;
            for (Task task = takeDue(target); task != null; task = takeDue(target)) {
                if (task.due.isAfter(clock.instant())) {
                    clock.set(task.due);
                }
                task.run();
                ran++;
            }
            return ran;
        }
        finally {
            synchronized (this) {
                running = null;
            }
        }
    }

    /**
     * Removes and returns the earliest task due at or before {@code target}; skips
     * cancelled ones.
     */
    private synchronized @Nullable Task takeDue(Instant target) {
        while (!queue.isEmpty()) {
            Task head = queue.peek();
            if (head.isDone()) {
                queue.poll();
            }
            else if (!head.due.isAfter(target)) {
                return queue.poll();
            }
            else {
                return null;
            }
        }
        return null;
    }

    private Task enqueue(Task task) {
        add(task);
        return task;
    }

    private synchronized void add(Task task) {
        queue.add(task);
    }

    private synchronized void remove(Task task) {
        queue.remove(task);
    }

    private synchronized void failed(Throwable e) {
        failures.add(e);
    }

    private static Duration positive(Duration period) {
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be positive, was " + period);
        }
        return period;
    }

    /** How a task is scheduled again after it ran. */
    private sealed interface Repeat {

        Repeat NONE = new None();

        record None() implements Repeat {
        }

        record FixedRate(Duration period) implements Repeat {
        }

        record FixedDelay(Duration delay) implements Repeat {
        }

        record ByTrigger(Trigger trigger, SimpleTriggerContext context) implements Repeat {
        }

    }

    /**
     * One scheduled task and its future. A repeating task is one future re-queued after
     * each run.
     */
    private final class Task implements ScheduledFuture<Object> {

        private final Runnable runnable;

        private final Repeat repeat;

        private final long order = sequence.getAndIncrement();

        private volatile Instant due;

        private volatile boolean cancelled;

        private volatile boolean finished;

        private volatile @Nullable Throwable failure;

        Task(Runnable runnable, Instant due, Repeat repeat) {
            this.runnable = runnable;
            this.due = due;
            this.repeat = repeat;
        }

        void run() {
            Instant start = clock.instant();
            try {
                runnable.run();
            }
            catch (RuntimeException | Error e) {
                failure = e;
                finished = true;
                failed(e);
                return;
            }
            Instant next = switch (repeat) {
                case Repeat.None none -> null;
                case Repeat.FixedRate(Duration period) -> due.plus(period);
                case Repeat.FixedDelay(Duration delay) -> clock.instant().plus(delay);
                case Repeat.ByTrigger(Trigger trigger, SimpleTriggerContext context) -> {
                    context.update(due, start, clock.instant());
                    yield trigger.nextExecution(context);
                }
            };
            if (next == null) {
                finished = true;
            }
            else if (!cancelled) {
                due = next;
                add(this);
            }
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            if (isDone()) {
                return false;
            }
            cancelled = true;
            remove(this);
            return true;
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            return cancelled || finished;
        }

        /** Never blocks: nothing would run the task while the test waits for it. */
        @Override
        public @Nullable Object get() throws ExecutionException {
            if (cancelled) {
                throw new CancellationException("cancelled");
            }
            if (!finished) {
                throw new IllegalStateException("not run yet (due " + due + ", now " + clock.instant()
                        + "); advance the ManualScheduler first");
            }
            Throwable e = failure;
            if (e != null) {
                throw new ExecutionException(e);
            }
            return null;
        }

        @Override
        public @Nullable Object get(long timeout, TimeUnit unit) throws ExecutionException, TimeoutException {
            if (!isDone()) {
                throw new TimeoutException("not run yet (due " + due + ", now " + clock.instant() + ")");
            }
            return get();
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(Duration.between(clock.instant(), due));
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public String toString() {
            return "Task[due " + due + (cancelled ? ", cancelled" : finished ? ", done" : "") + "]";
        }

    }

}
