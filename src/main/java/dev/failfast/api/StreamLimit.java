package dev.failfast.api;

/**
 * The cap a refused event stream would have gone over, as the 429 problem's {@code limit}
 * member names it.
 */
enum StreamLimit {

    /** {@code failfast.streams.max-open}, over all tenants. */
    OPEN_STREAMS("open-streams"),
    /** {@code failfast.streams.max-open-per-tenant}, the caller's tenant's. */
    TENANT_OPEN_STREAMS("tenant-open-streams");

    private final String wireName;

    StreamLimit(String wireName) {
        this.wireName = wireName;
    }

    String wireName() {
        return wireName;
    }

}
