package dev.failfast.engine;

import dev.failfast.batch.JobError;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * How one attempt ended. {@link AttemptOutcomes#jobAfter} says what each makes of the
 * job.
 */
public sealed interface Outcome {

    /** The handler returned. */
    record Succeeded(@Nullable JsonNode result) implements Outcome {
    }

    /** The handler threw (or returned a result too large to keep). */
    record Failed(JobError error) implements Outcome {
    }

    /**
     * The handler's target asked to be called again after {@code delay}
     * ({@code RetryLaterException}) and the job may still wait ({@link Deferrals}):
     * backpressure, not a failure. {@code error} says why it waits.
     */
    record Deferred(JobError error, Duration delay) implements Outcome {
    }

    /** The attempt's token was cancelled and the handler stopped. */
    record Stopped(StopReason reason) implements Outcome {
    }

    /**
     * The attempt's token was cancelled and the handler ignored it for the whole cancel
     * grace period: the attempt is reported ended and its thread left to finish, whatever
     * it returns later.
     */
    record Abandoned(StopReason reason) implements Outcome {
    }

}
