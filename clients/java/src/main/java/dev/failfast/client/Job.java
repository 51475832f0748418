package dev.failfast.client;

import java.util.Objects;
import tools.jackson.databind.JsonNode;

/** One attempt of a {@code remote:} job, as a {@link JobHandler} sees it. */
public final class Job {

    private final String id;

    private final String batchId;

    private final String jobId;

    private final String type;

    private final int attempt;

    private final JsonNode params;

    private final CancelToken token = new CancelToken();

    /** The service's default {@code failfast.workers.max-progress-size}. */
    static final int MAX_PROGRESS_BYTES = 4096;

    private volatile JsonNode progress;

    Job(String id, String batchId, String jobId, String type, int attempt, JsonNode params) {
        this.id = Objects.requireNonNull(id, "id");
        this.batchId = Objects.requireNonNull(batchId, "batchId");
        this.jobId = Objects.requireNonNull(jobId, "jobId");
        this.type = Objects.requireNonNull(type, "type");
        this.attempt = attempt;
        this.params = Objects.requireNonNull(params, "params");
    }

    /** The attempt's id (what the worker reports on). */
    public String id() {
        return id;
    }

    /** The batch's id. */
    public String batchId() {
        return batchId;
    }

    /** The job's id in its batch. */
    public String jobId() {
        return jobId;
    }

    /** The job's type, such as {@code remote:download}. */
    public String type() {
        return type;
    }

    /** The name of the type, such as {@code download}. */
    public String name() {
        return type.startsWith("remote:") ? type.substring("remote:".length()) : type;
    }

    /** The attempt's number, from 1. */
    public int attempt() {
        return attempt;
    }

    /** The job's params, as submitted (an empty object when it had none). Do not change them. */
    public JsonNode params() {
        return params;
    }

    /** The attempt's cancellation. */
    public CancelToken token() {
        return token;
    }

    /**
     * Reports progress (any value Jackson writes, at most 4 KB as JSON, the service's default
     * {@code failfast.workers.max-progress-size}): the latest is sent with each heartbeat
     * and shown with the worker's attempts.
     *
     * @throws IllegalArgumentException when it is larger (the service would refuse the whole
     * heartbeat)
     */
    public void progress(Object value) {
        JsonNode json = Transport.JSON.valueToTree(value);
        if (json == null) {
            json = Transport.JSON.nullNode();
        }
        int size = Transport.JSON.writeValueAsBytes(json).length;
        if (size > MAX_PROGRESS_BYTES) {
            throw new IllegalArgumentException(
                    "Progress of " + size + " bytes as JSON, more than " + MAX_PROGRESS_BYTES + " bytes");
        }
        progress = json;
    }

    /** The latest progress, or null when the handler reported none. */
    JsonNode latestProgress() {
        return progress;
    }

    @Override
    public String toString() {
        return "Job[" + batchId + "/" + jobId + " attempt " + attempt + " (" + id + ")]";
    }

}
