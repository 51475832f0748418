package dev.failfast.api;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Size;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A worker's heartbeat.
 *
 * @param progress what each attempt has done so far, by attempt id
 */
@Schema(description = "A heartbeat, with the progress of attempts if the worker has any to tell")
record HeartbeatRequest(@Schema(
        description = "Progress by attempt id: any JSON, at most " + "failfast.workers.max-progress-size each") @Size(
                max = 1000) @Nullable Map<UUID, Object> progress) {
}
