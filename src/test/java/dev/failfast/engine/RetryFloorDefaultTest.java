package dev.failfast.engine;

import static dev.failfast.batch.TestBatches.CALLER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.engine.InvalidBatchException.Violation;
import dev.failfast.job.JobContext;
import dev.failfast.job.JobHandlers;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.testing.RawParamsHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The shipped defaults (the tests' configuration lowers the retry floor to 10 ms): a
 * retry backoff of PT0S is refused, a tenth of a second accepted, and a job without
 * retries needs no backoff.
 */
class RetryFloorDefaultTest {

    /** Returns at once. */
    static final class Noop extends RawParamsHandler {

        Noop() {
            super("noop");
        }

        @Override
        public @Nullable Object execute(JobContext<ObjectNode> context) {
            return null;
        }

    }

    private final FailfastProperties defaults = new Binder(new MapConfigurationPropertySource(Map.of()))
        .bindOrCreate("failfast", FailfastProperties.class);

    private final BatchValidator validator = new BatchValidator(new JobHandlers(List.of(new Noop())),
            defaults.limits());

    @Test
    void theDefaultFloorIsATenthOfASecond() {
        assertThat(defaults.limits().minRetryBackoff()).isEqualTo(Duration.ofMillis(100));
        assertThat(defaults.limits().maxAttemptsPerBatch()).isEqualTo(1_000_000);
    }

    @Test
    void byDefaultARetryWithoutBackoffIsRefused() {
        assertThatThrownBy(() -> validator.validate(batch(new RetryPolicy(100, Duration.ZERO, 1.0, Duration.ZERO)),
                CALLER.tenant()))
            .isInstanceOfSatisfying(InvalidBatchException.class,
                    e -> assertThat(e.violations()).extracting(Violation::field)
                        .containsExactly("jobs[0].retry.backoff"));
    }

    @Test
    void aTenthOfASecondAndNoRetryAtAllAreAccepted() {
        validator.validate(batch(new RetryPolicy(3, Duration.ofMillis(100), 2.0, Duration.ofSeconds(1))),
                CALLER.tenant());
        validator.validate(batch(RetryPolicy.NONE), CALLER.tenant());
    }

    private static BatchSpec batch(RetryPolicy retry) {
        return new BatchSpec("b", Map.of(), FailurePolicy.FAIL_FAST, 0, 1, null,
                List.of(new JobSpec("a", "noop", JsonNodeFactory.instance.objectNode(), null, retry)));
    }

}
