package dev.failfast.bench;

import dev.failfast.batch.BatchEvent;
import dev.failfast.engine.BatchEventListener;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/** Completes a future when a batch reaches a terminal state, so a benchmark waits without polling. */
final class TerminalBatches implements BatchEventListener {

    private final Map<UUID, CompletableFuture<Void>> waiting = new ConcurrentHashMap<>();

    /** The future of a batch; already complete if the batch ended before anyone asked (even during submit). */
    CompletableFuture<Void> of(UUID id) {
        return waiting.computeIfAbsent(id, _ -> new CompletableFuture<>());
    }

    void forget(UUID id) {
        waiting.remove(id);
    }

    @Override
    public void onEvent(BatchEvent event) {
        if (event instanceof BatchEvent.BatchChanged changed && changed.batch().state().isTerminal()) {
            of(changed.batch().id()).complete(null);
        }
    }
}
