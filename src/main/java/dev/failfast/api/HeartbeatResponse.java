package dev.failfast.api;

import dev.failfast.worker.Heartbeat;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A heartbeat's answer.
 *
 * @param cancelled attempts the worker holds that are cancelled (its stream told it too)
 * @param unknown attempts it reported progress for but no longer holds: stop them
 */
@Schema(description = "The renewed lease, and the attempts to stop")
record HeartbeatResponse(Instant leaseExpiresAt, List<CancelEvent> cancelled, List<UUID> unknown) {

    static HeartbeatResponse of(Heartbeat heartbeat) {
        return new HeartbeatResponse(heartbeat.leaseExpiresAt(),
                heartbeat.cancelled().stream().map(CancelEvent::of).toList(), heartbeat.unknown());
    }

}
