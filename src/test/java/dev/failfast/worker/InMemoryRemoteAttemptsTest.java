package dev.failfast.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.engine.CancellationSource;
import dev.failfast.engine.StopReason;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The registry contract on a single instance's in-memory registry. */
class InMemoryRemoteAttemptsTest extends RemoteAttemptsContractTest {

    private InMemoryRemoteAttempts registry;

    @Override
    RemoteAttempts newRegistry() {
        registry = new InMemoryRemoteAttempts(clock, settings, WorkerObserver.NONE);
        return registry;
    }

    @Override
    void expireLapsedLeases() {
        registry.expireLapsedLeases();
    }

    @Override
    void closeRegistry() {
        registry.close();
    }

    /**
     * The cluster's registry checks the batch's cause in its claim instead: a token is a
     * replica's own.
     */
    @Test
    void anOfferWhoseTokenIsCancelledIsNeverClaimed() throws Exception {
        WorkerSession worker = registry.register(ACME, null, names("download"), 2);
        var cancelled = new CancellationSource();
        cancelled.cancel(StopReason.BATCH_CANCELLED);
        RemoteOffer stopped = offer(ACME, "download", "stopped");
        registry.offer(stopped, cancelled);
        RemoteOffer wanted = offer(ACME, "download", "wanted");
        registry.offer(wanted, new CancellationSource());

        assertThat(registry.claim("acme", worker.id(), 2, Duration.ZERO)).extracting(HeldAttempt::id)
            .containsExactly(wanted.attemptId());
    }

}
