package dev.failfast.testing;

import dev.failfast.job.JobHandler;
import tools.jackson.databind.node.ObjectNode;

/**
 * A job type for tests whose params are taken as given: a test writes only what its
 * attempts do.
 */
public abstract class RawParamsHandler implements JobHandler<ObjectNode> {

    private final String type;

    protected RawParamsHandler(String type) {
        this.type = type;
    }

    @Override
    public final String type() {
        return type;
    }

    @Override
    public final ObjectNode parseParams(ObjectNode params, String tenant) {
        return params;
    }

}
