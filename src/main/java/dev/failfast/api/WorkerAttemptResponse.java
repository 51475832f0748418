package dev.failfast.api;

import dev.failfast.worker.HeldAttempt;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An attempt a worker holds: what to run, and whether to stop.
 *
 * @param id the attempt's id, which the worker reports on
 * @param type the job's type ({@code remote:download})
 * @param name the type's name, which the worker registered ({@code download})
 * @param attempt 1 for the first attempt, 2 for the first retry, …
 * @param params the job's params, as the client submitted them
 * @param progress the progress the worker last reported
 * @param cancelReason set once the attempt is cancelled: stop it and report
 */
@Schema(description = "An attempt a worker holds")
record WorkerAttemptResponse(UUID id, UUID batchId, String jobId, String type, String name, int attempt,
        @Schema(description = "The job's params as the client submitted them",
                implementation = Map.class) ObjectNode params,
        Instant claimedAt,
        @Schema(description = "What the worker last reported with a heartbeat: any JSON value",
                implementation = Object.class) @Nullable JsonNode progress,
        @Schema(description = "BATCH_CANCELLED or TIMEOUT once the attempt is cancelled",
                nullable = true) @Nullable String cancelReason) {

    static WorkerAttemptResponse of(HeldAttempt held) {
        var offer = held.offer();
        return new WorkerAttemptResponse(held.id(), offer.batchId(), offer.jobId(), offer.type(), offer.name(),
                offer.attempt(), offer.params(), held.claimedAt(), held.progress(), held.cancelReason());
    }

}
