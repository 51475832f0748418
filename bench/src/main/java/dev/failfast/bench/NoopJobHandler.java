package dev.failfast.bench;

import dev.failfast.job.JobContext;
import dev.failfast.job.JobHandler;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/** {@code noop}: takes no params and returns at once, so only the engine's own cost is measured. */
final class NoopJobHandler implements JobHandler<Boolean> {

    static final String TYPE = "noop";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Boolean parseParams(ObjectNode params, String tenant) {
        return Boolean.TRUE;
    }

    @Override
    public @Nullable Object execute(JobContext<Boolean> context) {
        return null;
    }
}
