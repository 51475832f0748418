package dev.failfast.engine;

import static dev.failfast.batch.TestBatches.CALLER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.JobState;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.job.JobContext;
import dev.failfast.store.BatchStore;
import dev.failfast.testing.RawParamsHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Whatever a handler throws, even an {@link Error}, ends its attempt, so the batch ends
 * too.
 */
@SpringBootTest(properties = "failfast.store.type=memory")
class HandlerErrorsTest {

    @Autowired
    BatchEngine engine;

    @Autowired
    BatchStore store;

    @Test
    void anErrorFromAHandlerFailsTheJobAndTheBatch() {
        UUID id = engine.submit(CALLER,
                new BatchSpec("errors", Map.of(), FailurePolicy.FAIL_FAST, 0, 1, null,
                        List.of(new JobSpec("broken", ThrowingHandler.TYPE, JsonNodeFactory.instance.objectNode(), null,
                                RetryPolicy.NONE),
                                new JobSpec("after", ThrowingHandler.TYPE, JsonNodeFactory.instance.objectNode(), null,
                                        RetryPolicy.NONE))))
            .id();

        await().atMost(Duration.ofSeconds(30)).until(() -> engine.find(CALLER, id).state().isTerminal());

        Batch batch = engine.find(CALLER, id);
        assertThat(batch.state()).isEqualTo(BatchState.FAILED);
        assertThat(batch.cancellation().cause()).isEqualTo(CauseType.JOB_FAILED);
        Job broken = store.findJob(id, "broken").orElseThrow();
        assertThat(broken.state()).isEqualTo(JobState.FAILED);
        assertThat(broken.error().type()).isEqualTo("JOB_ERROR");
        assertThat(broken.error().exception()).isEqualTo(Error.class.getName());
        assertThat(broken.error().message()).isEqualTo("a plugin broke");
        assertThat(store.findJob(id, "after").orElseThrow().state()).isEqualTo(JobState.SKIPPED);
    }

    static class ThrowingHandler extends RawParamsHandler {

        ThrowingHandler() {
            super(TYPE);
        }

        static final String TYPE = "throws-error";

        @Override
        public Object execute(JobContext<ObjectNode> context) {
            throw new Error("a plugin broke");
        }

    }

    @TestConfiguration
    static class Handlers {

        @Bean
        ThrowingHandler throwingHandler() {
            return new ThrowingHandler();
        }

    }

}
