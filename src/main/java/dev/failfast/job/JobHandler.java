package dev.failfast.job;

import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * A job type. Every Spring bean implementing this interface is registered under
 * {@link #type()}.
 *
 * <p>
 * Implementations must stop promptly when the attempt's {@link CancellationToken} is
 * cancelled: blocking calls are interrupted, {@link CancellationToken#onCancel(Runnable)}
 * callbacks run, and long loops should call {@link CancellationToken#throwIfCancelled()}
 * at each step. A handler that keeps going anyway is abandoned after
 * {@code failfast.engine.cancel-grace}.
 *
 * @param <P> the parsed, validated parameters
 */
public interface JobHandler<P> {

    /** The name clients use in a job's {@code type} field. */
    String type();

    /**
     * Parses and validates a job's params at submission time, so a bad batch is refused
     * whole with a 400 before any of its jobs runs. The engine keeps the result and hands
     * it to every attempt of the job (and of other jobs of the batch with the same
     * params), so it must never be modified. A job resumed after a restart has its stored
     * params parsed again.
     * @param params the job's params as the client sent them
     * @param tenant the tenant submitting the batch, for job types whose settings differ
     * between tenants
     * @throws InvalidJobParamsException naming each bad field
     */
    P parseParams(ObjectNode params, String tenant);

    /**
     * The params as they may be shown outside the service: in API responses, event
     * streams and logs. A job type whose params can hold credentials (tokens, passwords,
     * signed URLs) returns a copy with them masked; the default shows the params as they
     * are. Called with stored params, which may no longer parse; must not throw and must
     * not modify {@code params}.
     * @param params the params as the client sent them (and the store keeps them)
     */
    default ObjectNode redactParams(ObjectNode params) {
        return params;
    }

    /**
     * Runs one attempt. Return a small result (anything Jackson can write; null for
     * none), or throw: {@link JobFailedException} for a failure with a stable error type,
     * {@link JobCancelledException} (or {@link InterruptedException}) when the token was
     * cancelled, any other exception for a {@code JOB_ERROR}.
     */
    @Nullable Object execute(JobContext<P> context) throws Exception;

}
