package dev.failfast.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A claim: how many attempts at most, and how long to wait for the first.
 *
 * @param max most attempts to claim; at most the worker's free capacity is given
 * @param waitFor how long to wait when none is waiting; {@code wait} in JSON (a record
 * component may not be named after {@link Object#wait()})
 */
@Schema(description = "How many attempts at most, and how long to wait for one")
record ClaimRequest(
        @Schema(description = "Most attempts to claim; default the worker's free capacity",
                example = "8") @Min(1) @Max(100_000) @Nullable Integer max,
        @Schema(description = "How long to wait for one; default PT20S, at most failfast.workers.max-claim-wait",
                example = "PT20S") @JsonProperty("wait") @Nullable Duration waitFor) {

    static final Duration DEFAULT_WAIT = Duration.ofSeconds(20);

}
