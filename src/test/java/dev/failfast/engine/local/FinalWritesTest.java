package dev.failfast.engine.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.engine.AttemptRunner;
import dev.failfast.engine.BatchEvents;
import dev.failfast.engine.Deferrals;
import dev.failfast.job.JobHandlers;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.BatchStore;
import dev.failfast.store.InstanceLease;
import dev.failfast.testing.DelegatingBatchStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.task.SyncTaskExecutor;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import tools.jackson.databind.json.JsonMapper;

/**
 * A single instance gives its lease back on shutdown only once everything is written: a
 * successor taking it earlier would recover batches whose end is not stored, as if their
 * process had died.
 */
class FinalWritesTest {

    /** A lease that only records what is done with it. */
    static final class RecordedLease implements InstanceLease {

        final AtomicBoolean released = new AtomicBoolean();

        @Override
        public void acquire() {
        }

        @Override
        public boolean renew() {
            return true;
        }

        @Override
        public void release() {
            released.set(true);
        }

    }

    /**
     * A store whose flushes fail {@code failures} times: its changes stay unwritten
     * meanwhile.
     */
    static final class FailingFlushes extends DelegatingBatchStore {

        final AtomicInteger failuresLeft;

        final AtomicInteger flushes = new AtomicInteger();

        FailingFlushes(int failures) {
            this.failuresLeft = new AtomicInteger(failures);
        }

        @Override
        public void flush() {
            flushes.incrementAndGet();
            failuresLeft.decrementAndGet();
        }

        @Override
        public boolean holdsUnwritten() {
            return failuresLeft.get() >= 0;
        }

    }

    @Test
    void aDatabaseThatComesBackWithinTheRetriesGetsEverythingAndTheLeaseIsReleased() {
        var store = new FailingFlushes(2);
        var lease = new RecordedLease();

        runner(store, lease).stop(Duration.ZERO);

        assertThat(store.flushes).hasValue(3);
        assertThat(lease.released).isTrue();
    }

    @Test
    void whileChangesStayUnwrittenTheLeaseIsKept() {
        var store = new FailingFlushes(Integer.MAX_VALUE);
        var lease = new RecordedLease();

        runner(store, lease).stop(Duration.ZERO);

        assertThat(store.flushes.get()).isGreaterThan(1);
        assertThat(lease.released).as("kept until it expires").isFalse();
    }

    private static LocalRunner runner(BatchStore store, InstanceLease lease) {
        var properties = new Binder(new MapConfigurationPropertySource(Map.of())).bindOrCreate("failfast",
                FailfastProperties.class);
        var scheduler = new ThreadPoolTaskScheduler();
        scheduler.initialize();
        var attempts = new AttemptRunner(new JobHandlers(List.of()), JsonMapper.shared(), 1024, Deferrals.NONE);
        var runner = new LocalRunner(properties, store, lease, new BatchEvents(List.of()), attempts,
                new SyncTaskExecutor(), scheduler, Clock.systemUTC());
        runner.start();
        return runner;
    }

}
