package dev.failfast.api;

import io.swagger.v3.oas.annotations.media.Schema;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A worker reporting success.
 *
 * @param result the job's result, kept as its result
 */
@Schema(description = "Success, with the job's result")
record CompleteRequest(@Schema(description = "Any JSON, at most failfast.limits.max-result-size; none for no result",
        implementation = Object.class, example = "{\"bytes\": 5242880}") @Nullable JsonNode result) {
}
