package dev.failfast.api;

import dev.failfast.engine.Limit;

/** The cap a refused worker registration would have gone over. */
enum WorkerLimit implements Limit {

    /** {@code failfast.workers.max-workers-per-tenant}. */
    TENANT_WORKERS("tenant-workers", "Too many workers for the tenant"),
    /** {@code WorkerEventStreams.MAX_PER_WORKER} streams of one worker. */
    WORKER_STREAMS("worker-streams", "Too many event streams for the worker");

    private final String wireName;

    private final String title;

    WorkerLimit(String wireName, String title) {
        this.wireName = wireName;
        this.title = title;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    @Override
    public String title() {
        return title;
    }

    @Override
    public String problemKind() {
        return this == WORKER_STREAMS ? "too-many-streams" : "too-many-workers";
    }

}
