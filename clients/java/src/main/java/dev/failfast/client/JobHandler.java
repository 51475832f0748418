package dev.failfast.client;

/**
 * Runs one attempt of a {@code remote:<name>} job on a worker thread. Returns the job's result
 * (a {@link tools.jackson.databind.JsonNode}, a map, a record, any value Jackson writes, or
 * null for none), or throws: a {@link JobFailedException} for a stable error type, any other
 * exception for {@code JOB_ERROR}; once the attempt is cancelled, whatever it does is reported
 * as stopped ({@code CANCELLED}). A cancel interrupts the thread and sets
 * {@link Job#token()}.
 */
@FunctionalInterface
public interface JobHandler {

    /** Runs the attempt. */
    Object handle(Job job) throws Exception;

}
