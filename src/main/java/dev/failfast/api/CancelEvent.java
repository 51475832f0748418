package dev.failfast.api;

import dev.failfast.worker.CancelNotice;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.UUID;

/**
 * Tells a worker to stop an attempt: the data of a {@code cancel} event on its stream,
 * and an entry of a heartbeat's {@code cancelled}.
 */
@Schema(description = "Stop this attempt, then report it (any report is taken as stopped)")
record CancelEvent(UUID attemptId, UUID batchId, String jobId,
        @Schema(description = "BATCH_CANCELLED (its batch's cause, a cancel, the deadline) or TIMEOUT (the job's)",
                example = "BATCH_CANCELLED") String reason,
        @Schema(description = "When the service cancelled the attempt, by its clock") Instant requestedAt) {

    static CancelEvent of(CancelNotice notice) {
        return new CancelEvent(notice.attemptId(), notice.batchId(), notice.jobId(), notice.reason(),
                notice.requestedAt());
    }

}
