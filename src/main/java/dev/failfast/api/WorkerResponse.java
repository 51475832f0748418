package dev.failfast.api;

import dev.failfast.settings.FailfastProperties;
import dev.failfast.worker.WorkerSession;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SortedSet;
import java.util.UUID;
import org.jspecify.annotations.Nullable;

/**
 * A registered worker.
 *
 * @param leaseTtl how long it stays registered without a heartbeat or a claim
 * @param heartbeatInterval how often it should heartbeat
 * @param attempts the attempts it holds
 */
@Schema(description = "A registered worker and the attempts it holds")
record WorkerResponse(UUID id, @Nullable String name, SortedSet<String> types, int capacity, String tenant,
        Duration leaseTtl, Duration heartbeatInterval, Instant registeredAt, Instant leaseExpiresAt,
        List<WorkerAttemptResponse> attempts) {

    static WorkerResponse of(WorkerSession session, FailfastProperties.Workers settings) {
        return new WorkerResponse(session.id(), session.name(), session.names(), session.capacity(), session.tenant(),
                settings.leaseTtl(), settings.heartbeatInterval(), session.registeredAt(), session.leaseExpiresAt(),
                session.held().stream().map(WorkerAttemptResponse::of).toList());
    }

}
