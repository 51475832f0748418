package dev.failfast.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A replica's thread accounting: abandoned attempts give their place back once, and only
 * beyond the spare threads cost one.
 */
class WorkerThreadsTest {

    final WorkerThreads threads = new WorkerThreads(2, 1);

    @Test
    void anAbandonedAttemptFreesItsPlaceAtOnceAndItsThreadReturningFreesNothingMore() {
        WorkerThreads.Slot stuck = threads.take();
        WorkerThreads.Slot other = threads.take();
        assertThat(threads.free()).isZero();

        stuck.abandoned();
        assertThat(threads.free()).as("the spare thread runs the stuck one").isOne();
        assertThat(threads.abandonedThreads()).isOne();
        stuck.abandoned();
        assertThat(threads.free()).as("abandoned twice counts once").isOne();

        stuck.returned();
        assertThat(threads.abandonedThreads()).isZero();
        assertThat(threads.free()).isOne();
        other.returned();
        assertThat(threads.free()).isEqualTo(2);
    }

    @Test
    void eachThreadStuckBeyondTheSpareOnesTakesAPlaceFromThePool() {
        WorkerThreads.Slot first = threads.take();
        WorkerThreads.Slot second = threads.take();

        first.abandoned();
        second.abandoned();

        assertThat(threads.abandonedThreads()).isEqualTo(2);
        assertThat(threads.free()).as("one spare thread: the second stuck thread costs a place").isOne();
        second.returned();
        assertThat(threads.free()).isEqualTo(2);
    }

}
