package dev.failfast.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.springframework.scheduling.support.PeriodicTrigger;

// The tests schedule tasks and assert what they did; most futures are not needed.
@SuppressWarnings("FutureReturnValueIgnored")
class ManualSchedulerTest {

    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    final SettableClock clock = new SettableClock(T0);

    final ManualScheduler scheduler = new ManualScheduler(clock);

    /** What ran, as "name@seconds after T0", on which thread. */
    final List<String> ran = new CopyOnWriteArrayList<>();

    final List<Thread> threads = new CopyOnWriteArrayList<>();

    @Test
    void nothingRunsBeforeItsTimeAndThenOnTheCallingThread() {
        scheduler.schedule(task("a"), T0.plusSeconds(10));

        assertThat(scheduler.runDue()).isZero();
        assertThat(scheduler.advance(Duration.ofSeconds(9))).isZero();
        assertThat(ran).isEmpty();
        assertThat(scheduler.pending()).isEqualTo(1);
        assertThat(scheduler.nextDue()).contains(T0.plusSeconds(10));

        assertThat(scheduler.advance(Duration.ofSeconds(1))).isEqualTo(1);

        assertThat(ran).containsExactly("a@10");
        assertThat(threads).containsExactly(Thread.currentThread());
        assertThat(scheduler.pending()).isZero();
        assertThat(scheduler.nextDue()).isEmpty();
    }

    @Test
    void dueTasksRunInDueTimeOrderAndTiesInSchedulingOrderEachSeeingItsDueTime() {
        scheduler.schedule(task("late"), T0.plusSeconds(3));
        scheduler.schedule(task("tie-1"), T0.plusSeconds(2));
        scheduler.schedule(task("early"), T0.plusSeconds(1));
        scheduler.schedule(task("tie-2"), T0.plusSeconds(2));
        scheduler.schedule(task("past"), T0.minusSeconds(5));

        scheduler.advance(Duration.ofSeconds(60));

        assertThat(ran).containsExactly("past@0", "early@1", "tie-1@2", "tie-2@2", "late@3");
        assertThat(clock.instant()).as("the clock ends where it was moved to").isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void aCancelledTaskNeverRuns() {
        ScheduledFuture<?> cancelled = scheduler.schedule(task("cancelled"), T0.plusSeconds(1));
        ScheduledFuture<?> kept = scheduler.schedule(task("kept"), T0.plusSeconds(1));

        assertThat(cancelled.cancel(false)).isTrue();

        assertThat(scheduler.pending()).isEqualTo(1);
        assertThat(cancelled.isCancelled()).isTrue();
        assertThat(cancelled.isDone()).isTrue();
        assertThatThrownBy(cancelled::get).isInstanceOf(CancellationException.class);
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(ran).containsExactly("kept@1");
        assertThat(kept.cancel(false)).as("too late: it ran").isFalse();
        assertThat(kept.isCancelled()).isFalse();
    }

    @Test
    void tasksScheduledWhileRunningRunInTheSameAdvanceWhenTheyAreDue() {
        scheduler.schedule(() -> {
            ran.add("first@" + secondsNow());
            scheduler.schedule(task("now"), clock.instant());
            scheduler.schedule(task("within"), clock.instant().plusSeconds(4));
            scheduler.schedule(task("beyond"), clock.instant().plusSeconds(10));
        }, T0.plusSeconds(1));

        scheduler.advance(Duration.ofSeconds(5));

        assertThat(ran).containsExactly("first@1", "now@1", "within@5");
        assertThat(scheduler.pending()).isEqualTo(1);
        assertThat(scheduler.nextDue()).contains(T0.plusSeconds(11));
    }

    @Test
    void runDueRunsWhatIsDueWithoutMovingTime() {
        scheduler.schedule(task("due"), T0);
        scheduler.schedule(task("later"), T0.plusMillis(1));

        assertThat(scheduler.runDue()).isEqualTo(1);

        assertThat(ran).containsExactly("due@0");
        assertThat(clock.instant()).isEqualTo(T0);
    }

    @Test
    void aFutureTellsWhenItIsDueAndCompletesWhenItRan() throws Exception {
        ScheduledFuture<?> future = scheduler.schedule(task("a"), T0.plusSeconds(30));

        assertThat(future.getDelay(TimeUnit.SECONDS)).isEqualTo(30);
        assertThat(future.isDone()).isFalse();
        assertThatThrownBy(future::get).as("get never blocks the test")
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("advance");
        assertThatThrownBy(() -> future.get(1, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);

        scheduler.advance(Duration.ofSeconds(30));

        assertThat(future.isDone()).isTrue();
        assertThat(future.get()).isNull();
        assertThat(future.getDelay(TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aFailingTaskFailsItsFutureOnlyAndIsReported() {
        var boom = new IllegalStateException("boom");
        ScheduledFuture<?> failing = scheduler.schedule(() -> {
            throw boom;
        }, T0.plusSeconds(1));
        scheduler.schedule(task("after"), T0.plusSeconds(2));

        scheduler.advance(Duration.ofSeconds(2));

        assertThat(ran).containsExactly("after@2");
        assertThat(failing.isDone()).isTrue();
        assertThatThrownBy(failing::get).isInstanceOf(ExecutionException.class).hasCause(boom);
        assertThat(scheduler.failures()).containsExactly(boom);
    }

    @Test
    void fixedRateRunsOncePerPeriodUntilCancelled() {
        ScheduledFuture<?> ticks = scheduler.scheduleAtFixedRate(task("tick"), T0.plusSeconds(1),
                Duration.ofSeconds(2));

        scheduler.advance(Duration.ofSeconds(6));

        assertThat(ran).containsExactly("tick@1", "tick@3", "tick@5");
        assertThat(scheduler.pending()).as("a repeating task counts once").isEqualTo(1);
        ticks.cancel(false);
        scheduler.advance(Duration.ofSeconds(10));
        assertThat(ran).hasSize(3);
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void fixedRateWithoutAStartBeginsNow() {
        scheduler.scheduleAtFixedRate(task("tick"), Duration.ofSeconds(5));

        scheduler.advance(Duration.ofSeconds(10));

        assertThat(ran).containsExactly("tick@0", "tick@5", "tick@10");
    }

    @Test
    void fixedDelayCountsFromTheEndOfTheLastRun() {
        scheduler.scheduleWithFixedDelay(() -> {
            ran.add("slow@" + secondsNow());
            clock.advance(Duration.ofSeconds(1)); // the run "takes" a second
        }, T0, Duration.ofSeconds(3));

        scheduler.advance(Duration.ofSeconds(9));

        assertThat(ran).containsExactly("slow@0", "slow@4", "slow@8");
    }

    @Test
    void aTriggerIsAskedForEachNextRun() {
        scheduler.schedule(task("periodic"), new PeriodicTrigger(Duration.ofSeconds(4)));

        scheduler.advance(Duration.ofSeconds(8));

        assertThat(ran).containsExactly("periodic@0", "periodic@4", "periodic@8");
    }

    @Test
    void aRepeatingTaskThatFailsStops() {
        scheduler.scheduleAtFixedRate(() -> {
            ran.add("once");
            throw new IllegalStateException("boom");
        }, T0, Duration.ofSeconds(1));

        scheduler.advance(Duration.ofSeconds(5));

        assertThat(ran).containsExactly("once");
        assertThat(scheduler.pending()).isZero();
    }

    @Test
    void movingTimeFromInsideATaskIsRefused() {
        scheduler.schedule(() -> scheduler.advance(Duration.ofSeconds(1)), T0);

        scheduler.runDue();

        assertThat(scheduler.failures()).singleElement().isInstanceOf(IllegalStateException.class);
    }

    @Test
    void refusesPeriodsThatAreNotPositiveAndTimeGoingBack() {
        assertThatThrownBy(() -> scheduler.scheduleAtFixedRate(task("x"), Duration.ZERO))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> scheduler.scheduleWithFixedDelay(task("x"), Duration.ofSeconds(-1)))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> scheduler.advance(Duration.ofSeconds(-1)))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tasksMayBeScheduledFromOtherThreads() {
        try (ExecutorService workers = Executors.newFixedThreadPool(4)) {
            IntStream.range(0, 1_000)
                .forEach(i -> workers.submit(() -> scheduler.schedule(task("t"), T0.plusMillis(i))));
        }

        assertThat(scheduler.pending()).isEqualTo(1_000);
        assertThat(scheduler.advance(Duration.ofSeconds(1))).isEqualTo(1_000);
        assertThat(scheduler.getClock()).isSameAs(clock);
    }

    private Runnable task(String name) {
        return () -> {
            ran.add(name + "@" + secondsNow());
            threads.add(Thread.currentThread());
        };
    }

    private long secondsNow() {
        return Duration.between(T0, clock.instant()).toSeconds();
    }

}
