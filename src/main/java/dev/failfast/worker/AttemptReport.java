package dev.failfast.worker;

import java.time.Duration;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** How a remote attempt ended, as the registry tells the engine's waiting handler. */
public sealed interface AttemptReport {

    /** The worker reports success. */
    record Completed(@Nullable JsonNode result) implements AttemptReport {
    }

    /**
     * The worker reports a failure.
     *
     * @param status an HTTP-like status the failure comes from, for {@code onError} rules
     * @param retryAfter the worker asks to be called again later (a deferral, like a
     * target's {@code Retry-After})
     */
    record Failed(String errorType, String message, @Nullable Integer status,
            @Nullable Duration retryAfter) implements AttemptReport {
    }

    /** The worker holding the attempt stopped heartbeating or was stopped. */
    record Lost(String message) implements AttemptReport {
    }

}
