package dev.failfast.batch;

import java.util.UUID;

/** The batch exists but has no job with this id. */
public final class JobNotFoundException extends RuntimeException {

    public JobNotFoundException(UUID batchId, String jobId) {
        super("Batch " + batchId + " has no job '" + jobId + "'");
    }

}
