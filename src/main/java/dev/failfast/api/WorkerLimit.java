package dev.failfast.api;

import dev.failfast.engine.Limit;

/** The cap a refused worker registration would have gone over. */
enum WorkerLimit implements Limit {

    /** {@code failfast.workers.max-workers-per-tenant}. */
    TENANT_WORKERS("tenant-workers", "Too many workers for the tenant");

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
        return "too-many-workers";
    }

}
