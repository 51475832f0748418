package dev.failfast.job;

import java.util.UUID;

/**
 * What a {@link JobHandler} gets for one attempt.
 *
 * @param batchId the batch the job belongs to
 * @param tenant the tenant that owns the batch
 * @param jobId the client-given job id
 * @param type the job's type, as the client wrote it (a family's handler tells its
 * members apart by it)
 * @param params the params as parsed by {@link JobHandler#parseParams}
 * @param attempt 1 for the first attempt, 2 for the first retry, …
 * @param cancellation cancelled when the batch is cancelled or this attempt timed out
 * @param <P> the parsed params type
 */
public record JobContext<P>(UUID batchId, String tenant, String jobId, String type, P params, int attempt,
        CancellationToken cancellation) {
}
