package dev.failfast.batch;

import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * What a client asked one job to do.
 *
 * @param id client-given, unique within its batch
 * @param type the job type, naming a registered {@code JobHandler}
 * @param params the job type's parameters, validated by the handler at submission
 * @param timeout how long one attempt may run; null for no limit
 * @param retry how often the job is attempted
 */
public record JobSpec(String id, String type, ObjectNode params, @Nullable Duration timeout, RetryPolicy retry) {

    public JobSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(retry, "retry");
    }
}
