package dev.failfast.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** {@link JobHandlers#redactParams}: each job type masks its own params. */
class JobHandlersRedactionTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JobHandlers handlers = new JobHandlers(List.of(new Masking(), new Failing()));

    @Test
    void theJobTypeRedactsItsParams() {
        assertThat(handlers.redactParams("masking", params("{\"password\": \"hunter22\"}")))
            .isEqualTo(params("{\"password\": \"***\"}"));
    }

    @Test
    void paramsOfAnUnknownTypeAreShownAsStored() {
        ObjectNode params = params("{\"a\": 1}");

        assertThat(handlers.redactParams("gone", params)).isSameAs(params);
    }

    @Test
    void paramsAJobTypeFailsToRedactAreNotShownAtAll() {
        assertThat(handlers.redactParams("failing", params("{\"password\": \"hunter22\"}"))).isEmpty();
    }

    private static ObjectNode params(String json) {
        return (ObjectNode) JSON.readTree(json);
    }

    private static final class Masking implements JobHandler<ObjectNode> {

        @Override
        public String type() {
            return "masking";
        }

        @Override
        public ObjectNode parseParams(ObjectNode params, String tenant) {
            return params;
        }

        @Override
        public ObjectNode redactParams(ObjectNode params) {
            return params.deepCopy().put("password", "***");
        }

        @Override
        public @Nullable Object execute(JobContext<ObjectNode> context) {
            return null;
        }

    }

    private static final class Failing implements JobHandler<ObjectNode> {

        @Override
        public String type() {
            return "failing";
        }

        @Override
        public ObjectNode parseParams(ObjectNode params, String tenant) {
            return params;
        }

        @Override
        public ObjectNode redactParams(ObjectNode params) {
            throw new IllegalStateException("cannot mask " + params);
        }

        @Override
        public @Nullable Object execute(JobContext<ObjectNode> context) {
            return null;
        }

    }

}
