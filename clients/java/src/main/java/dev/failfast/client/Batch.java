package dev.failfast.client;

import java.time.Duration;
import java.util.Objects;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A batch request, built field by field; {@link FailfastClient#submit(Object)} also takes the
 * JSON as a string, a {@link JsonNode} or any object Jackson writes. The members are those of
 * docs/api.md ({@code BatchRequest}); what this builder does not name, {@link Builder#set}
 * sets.
 */
public final class Batch {

    private final ObjectNode json;

    private Batch(ObjectNode json) {
        this.json = json;
    }

    /** An empty request: add jobs. */
    public static Builder builder() {
        return new Builder();
    }

    /** The request as JSON (a copy). */
    public ObjectNode toJson() {
        return json.deepCopy();
    }

    @Override
    public String toString() {
        return json.toString();
    }

    /** Builds a {@link Batch}. */
    public static final class Builder {

        private final ObjectNode json = Transport.JSON.createObjectNode();

        private final ArrayNode jobs = json.putArray("jobs");

        private Builder() {
        }

        /** The batch's name. */
        public Builder name(String name) {
            json.put("name", name);
            return this;
        }

        /** {@code FAIL_FAST} (the default) or another failure policy of docs/api.md. */
        public Builder failurePolicy(String policy) {
            json.put("failurePolicy", policy);
            return this;
        }

        /** The most jobs that run at once. */
        public Builder maxParallelism(int jobs) {
            json.put("maxParallelism", jobs);
            return this;
        }

        /** When the batch is cancelled if it has not ended, counted from its start. */
        public Builder deadline(Duration deadline) {
            json.put("deadline", deadline.toString());
            return this;
        }

        /** A label. */
        public Builder label(String key, String value) {
            ObjectNode labels = json.has("labels") ? (ObjectNode) json.get("labels") : json.putObject("labels");
            labels.put(key, value);
            return this;
        }

        /** Any other member of the request. */
        public Builder set(String field, Object value) {
            json.set(field, Transport.JSON.valueToTree(value));
            return this;
        }

        /** A job; its params: a {@link JsonNode}, a map or any object Jackson writes, or null for none. */
        public Builder job(String id, String type, Object params) {
            ObjectNode job = jobs.addObject().put("id", Objects.requireNonNull(id, "id")).put("type",
                    Objects.requireNonNull(type, "type"));
            if (params != null) {
                job.set("params", Transport.JSON.valueToTree(params));
            }
            return this;
        }

        /** A job of type {@code remote:<name>}, run by a {@link FailfastWorker} serving {@code name}. */
        public Builder remoteJob(String id, String name, Object params) {
            return job(id, "remote:" + name, params);
        }

        /** A job written as JSON in full (with {@code retry}, {@code timeout}, …). */
        public Builder job(JsonNode job) {
            jobs.add(job.deepCopy());
            return this;
        }

        public Batch build() {
            return new Batch(json.deepCopy());
        }

    }

}
