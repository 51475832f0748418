package dev.failfast.engine;

import static dev.failfast.batch.TestBatches.CALLER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.job.JobContext;
import dev.failfast.job.JobHandler;
import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A job's params are parsed once, at submission, and every attempt gets that parsed
 * value.
 */
@SpringBootTest(properties = "failfast.store.type=memory")
class ParamsParsingTest {

    @Autowired
    BatchEngine engine;

    @Autowired
    CountingHandler handler;

    @BeforeEach
    void reset() {
        handler.parses.set(0);
        handler.attempts.set(0);
        handler.paramsSeen.clear();
    }

    @Test
    void jobsSharingParamsAreParsedOnceAndRetriesDoNotParseAgain() {
        ObjectNode shared = params("shared");
        List<JobSpec> jobs = IntStream.range(0, 20)
            .mapToObj(i -> new JobSpec("j" + i, CountingHandler.TYPE, shared, null,
                    // The shortest backoff the tests' settings allow.
                    new RetryPolicy(3, Duration.ofMillis(10), 1.0, Duration.ofMillis(10))))
            .toList();

        awaitFinished(engine.submit(CALLER, spec(jobs)).id());

        assertThat(handler.parses).hasValue(1);
        assertThat(handler.attempts).hasValue(60); // every job fails twice, then succeeds
        assertThat(handler.paramsSeen).hasSize(1);
    }

    @Test
    void jobsWithTheirOwnParamsAreParsedOnceEach() {
        List<JobSpec> jobs = IntStream.range(0, 20)
            .mapToObj(i -> new JobSpec("j" + i, CountingHandler.TYPE, params("p" + i), null, RetryPolicy.NONE))
            .toList();

        awaitFinished(engine.submit(CALLER, spec(jobs)).id());

        assertThat(handler.parses).hasValue(20);
        assertThat(handler.paramsSeen).hasSize(20);
    }

    private void awaitFinished(UUID id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> engine.find(CALLER, id).state().isTerminal());
    }

    private static BatchSpec spec(List<JobSpec> jobs) {
        return new BatchSpec("parsing", Map.of(), FailurePolicy.CONTINUE, 0, 4, null, jobs);
    }

    private static ObjectNode params(String name) {
        return JsonNodeFactory.instance.objectNode().put("name", name);
    }

    record CountingParams(String name) {
    }

    /** Counts parses; each job's attempts fail until its third, to exercise retries. */
    static class CountingHandler implements JobHandler<CountingParams> {

        static final String TYPE = "counting";

        final AtomicInteger parses = new AtomicInteger();

        final AtomicInteger attempts = new AtomicInteger();

        /** By identity: the same parsed object handed to every attempt counts once. */
        final Set<CountingParams> paramsSeen = Collections
            .synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public CountingParams parseParams(ObjectNode params, String tenant) {
            parses.incrementAndGet();
            return new CountingParams(params.get("name").asString());
        }

        @Override
        public Object execute(JobContext<CountingParams> context) {
            attempts.incrementAndGet();
            paramsSeen.add(context.params());
            if (context.attempt() < 3 && context.params().name().equals("shared")) {
                throw new IllegalStateException("attempt " + context.attempt() + " fails");
            }
            return null;
        }

    }

    @TestConfiguration
    static class Handlers {

        @Bean
        CountingHandler countingHandler() {
            return new CountingHandler();
        }

    }

}
