package dev.failfast.api;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Size;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A worker's heartbeat.
 *
 * @param progress what each attempt has done so far, by attempt id
 * @param holding every attempt the worker holds, when it says: one it was handed but does
 * not name (its claim answer never arrived) is offered again
 */
@Schema(description = "A heartbeat, with the progress of attempts if the worker has any to tell")
record HeartbeatRequest(
        @Schema(description = "Progress by attempt id: any JSON, at most failfast.workers.max-progress-size "
                + "each") @Size(max = 1000) @Nullable Map<UUID, Object> progress,
        @Schema(description = "Every attempt the worker holds. Given, an attempt the service handed it that it does "
                + "not name, handed over more than heartbeatInterval ago, is offered again (its claim answer was "
                + "lost); named attempts it no longer holds come back in unknown") @Size(
                        max = 1000) @Nullable Set<UUID> holding) {
}
