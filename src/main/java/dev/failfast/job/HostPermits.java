package dev.failfast.job;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * At most so many requests in flight to one host at once, over all jobs
 * ({@code failfast.jobs.http.max-connections-per-host}), so that a large batch cannot put
 * all its jobs on one third party at the same moment. Waiters are served first come,
 * first served. A host's entry lives only while someone holds or waits for one of its
 * permits, so a batch of many distinct hosts leaves nothing behind.
 */
final class HostPermits {

    private final int perHost;

    /** Guarded by {@code this}. */
    private final Map<String, Gate> gates = new HashMap<>();

    private static final class Gate {

        final Semaphore semaphore;

        /** Holders and waiters; guarded by the enclosing {@link HostPermits}. */
        int users;

        Gate(int permits) {
            this.semaphore = new Semaphore(permits, true);
        }

    }

    /** A held permit; closing it gives it back. */
    @FunctionalInterface
    interface Permit extends AutoCloseable {

        @Override
        void close();

    }

    HostPermits(int perHost) {
        this.perHost = perHost;
    }

    /**
     * Waits up to {@code timeoutNanos} for a permit for {@code host}.
     * @return the permit, or null if none came free in time
     * @throws InterruptedException if the waiting thread is interrupted (its job
     * cancelled)
     */
    @Nullable Permit acquire(String host, long timeoutNanos) throws InterruptedException {
        Gate gate;
        synchronized (this) {
            gate = gates.computeIfAbsent(host, _ -> new Gate(perHost));
            gate.users++;
        }
        boolean acquired = false;
        try {
            acquired = gate.semaphore.tryAcquire(Math.max(0, timeoutNanos), TimeUnit.NANOSECONDS);
        }
        finally {
            if (!acquired) {
                leave(host, gate);
            }
        }
        if (!acquired) {
            return null;
        }
        return () -> {
            gate.semaphore.release();
            leave(host, gate);
        };
    }

    /** Hosts with a holder or a waiter, for tests. */
    synchronized int hostsInUse() {
        return gates.size();
    }

    private synchronized void leave(String host, Gate gate) {
        gate.users--;
        if (gate.users == 0) {
            gates.remove(host);
        }
    }

}
