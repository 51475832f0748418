package dev.failfast.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Job starts share a read of their batch's cause, but never take the answer of a read
 * that began before they asked.
 */
class SharedReadTest {

    final SharedRead read = new SharedRead();

    final AtomicInteger queries = new AtomicInteger();

    final CountDownLatch firstMayEnd = new CountDownLatch(1);

    /** The first query waits for the latch and answers false; later ones answer true. */
    final BooleanSupplier query = () -> {
        if (queries.incrementAndGet() == 1) {
            await().atMost(Duration.ofSeconds(10)).until(() -> firstMayEnd.await(10, TimeUnit.MILLISECONDS));
            return false;
        }
        return true;
    };

    @Test
    void callsOneAfterTheOtherEachRunTheirOwnRead() {
        BooleanSupplier counted = () -> queries.incrementAndGet() > 1;

        assertThat(read.read(counted)).isFalse();
        assertThat(read.read(counted)).isTrue();
        assertThat(queries).hasValue(2);
    }

    @Test
    void callersArrivingDuringAReadShareTheNextOneAndNeverTakeTheAnswerOfTheReadInFlight() {
        var first = CompletableFuture.supplyAsync(() -> read.read(query));
        await().atMost(Duration.ofSeconds(10)).until(() -> queries.get() == 1);
        var second = new CompletableFuture<Boolean>();
        var third = new CompletableFuture<Boolean>();
        Thread b = Thread.ofPlatform().start(() -> second.complete(read.read(query)));
        Thread c = Thread.ofPlatform().start(() -> third.complete(read.read(query)));
        await().atMost(Duration.ofSeconds(10))
            .until(() -> b.getState() == Thread.State.WAITING && c.getState() == Thread.State.WAITING);

        firstMayEnd.countDown();

        assertThat(first.join()).isFalse();
        assertThat(second.join()).as("answered by a read begun after it asked").isTrue();
        assertThat(third.join()).isTrue();
        assertThat(queries).as("the two that waited together shared one read").hasValue(2);
    }

}
