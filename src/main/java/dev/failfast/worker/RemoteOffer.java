package dev.failfast.worker;

import java.util.UUID;

import tools.jackson.databind.node.ObjectNode;

/**
 * An attempt of a remote job, as the engine hands it to the registry to wait for a
 * worker.
 *
 * @param attemptId the attempt's own id: what the worker reports on
 * @param batchId the job's batch
 * @param tenant the batch's tenant: only its workers may claim the attempt
 * @param jobId the client-given job id
 * @param name the job type without its {@code remote:} prefix: what workers serve
 * @param params the job's params, passed to the worker as the client sent them
 * @param attempt 1 for the first attempt, 2 for the first retry, …
 */
public record RemoteOffer(UUID attemptId, UUID batchId, String tenant, String jobId, String name, ObjectNode params,
        int attempt) {

    /** The job type clients write: {@code remote:} and the name. */
    public String type() {
        return RemoteJobHandler.PREFIX + name;
    }

}
