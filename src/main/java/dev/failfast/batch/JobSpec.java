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

    /**
     * The longest duration Failfast accepts, in days, for a deadline, a timeout, a
     * backoff or a job type's own durations: far beyond any sensible batch, far below
     * what timers overflow at.
     */
    public static final int MAX_DURATION_DAYS = 365;

    public JobSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(retry, "retry");
    }
}
