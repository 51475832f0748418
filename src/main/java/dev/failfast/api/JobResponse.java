package dev.failfast.api;

import dev.failfast.batch.Job;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobState;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.job.JobHandlers;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/** A job's status. */
@Schema(description = "A job's status")
record JobResponse(String id, String type,
        @Schema(description = "The job type's parameters, with credentials masked as \"***\" (docs/security.md)",
                implementation = Map.class) JsonNode params,
        @Schema(type = "string", format = "duration", example = "PT30S") @Nullable Duration timeout, RetryPolicy retry,
        JobState state, @Schema(description = "Attempts started so far, deferred ones included") int attempts,
        @Schema(description = "Attempts whose target asked to be called again later (such as an HTTP 429 or 503 with "
                + "Retry-After): the job waited instead of failing, and they do not count against retry.maxAttempts. "
                + "While the job waits, error says why") int deferrals,
        @Nullable Instant startedAt, @Nullable Instant finishedAt, @Nullable Long durationMillis,
        @Schema(description = "True when the job ignored cancellation past the grace period and its thread was left to finish") boolean abandoned,
        @Schema(description = "True when the job FAILED and an IGNORE rule of the batch's onError excused the "
                + "failure: it counts toward neither the tolerance nor the batch's end state") boolean ignored,
        @Schema(description = "Why the last attempt failed") @Nullable JobError error,
        @Schema(description = "What the job returned: any JSON value",
                implementation = Object.class) @Nullable JsonNode result) {

    /** The job as clients see it: its params redacted by its job type. */
    static JobResponse of(Job job, JobHandlers handlers) {
        var spec = job.spec();
        return new JobResponse(job.id(), spec.type(), handlers.redactParams(spec.type(), spec.params()), spec.timeout(),
                spec.retry(), job.state(), job.attempts(), job.deferrals(), job.startedAt(), job.finishedAt(),
                job.durationMillis(), job.abandoned(), job.ignored(), job.error(), job.result());
    }
}
