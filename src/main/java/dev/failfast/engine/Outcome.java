package dev.failfast.engine;

import dev.failfast.batch.JobError;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** How one attempt ended, as seen by the worker thread that ran it. */
sealed interface Outcome {

    record Succeeded(@Nullable JsonNode result) implements Outcome {}

    record Failed(JobError error) implements Outcome {}

    /** The attempt's token was cancelled and the job stopped. */
    record Stopped(StopReason reason) implements Outcome {}
}
