package dev.failfast.api;

import dev.failfast.engine.Limit;

/**
 * The cap a refused event stream would have gone over, as the 429 problem's {@code limit}
 * member names it; the problem's type is {@code too-many-streams}.
 */
enum StreamLimit implements Limit {

    /** {@code failfast.streams.max-open}, over all tenants. */
    OPEN_STREAMS("open-streams", "Too many event streams"),
    /** {@code failfast.streams.max-open-per-tenant}, the caller's tenant's. */
    TENANT_OPEN_STREAMS("tenant-open-streams", "Too many event streams for the tenant");

    private final String wireName;

    private final String title;

    StreamLimit(String wireName, String title) {
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
        return "too-many-streams";
    }

}
