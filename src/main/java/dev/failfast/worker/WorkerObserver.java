package dev.failfast.worker;

import java.time.Duration;

/** What the registry and the workers' streams tell metrics. */
public interface WorkerObserver {

    /** Nothing is observed. */
    WorkerObserver NONE = new WorkerObserver() {
    };

    /** A worker claimed an attempt of {@code name} that had waited {@code waited}. */
    default void claimed(String name, Duration waited) {
    }

    /** A cancel reached a worker's stream {@code latency} after it was asked for. */
    default void cancelSent(Duration latency) {
    }

}
