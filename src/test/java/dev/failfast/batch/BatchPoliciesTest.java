package dev.failfast.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The tolerance by ratio and the first rule that matches, as tables. */
class BatchPoliciesTest {

    @ParameterizedTest(name = "ratio {0}, min {1}: {2} failed, {3} succeeded, {4} open -> {5}")
    @CsvSource(textBlock = """
            # ratio, minJobs, failed, succeeded, open, crossed
            0.2,     5,       0,      10,        0,    NONE
            0.2,     5,       1,      3,         6,    NONE
            # 2 of 10 finished is 20%, not above
            0.2,     5,       2,      8,         0,    NONE
            # 3 of 10 finished: exceeded once 5 finished
            0.2,     5,       3,      7,         0,    EXCEEDED
            0.2,     5,       2,      2,         16,   NONE
            0.2,     5,       2,      3,         15,   EXCEEDED
            # below minJobs nothing finished is judged, but 3 of 10 jobs failed is certain
            0.2,     5,       3,      0,         7,    CERTAIN
            0.2,     5,       2,      0,         8,    NONE
            # minJobsForRatio not given: only the certain check
            0.5,     0,       3,      0,         7,    NONE
            0.5,     0,       3,      3,         0,    NONE
            0.5,     0,       4,      3,         0,    CERTAIN
            0.5,     0,       5,      0,         5,    NONE
            0.5,     0,       6,      0,         4,    CERTAIN
            # 0: the first counted failure is too many
            0.0,     0,       1,      0,         99,   CERTAIN
            0.0,     0,       0,      5,         95,   NONE
            # 1: never crossed
            1.0,     1,       10,     0,         0,    NONE
            """)
    void theRatioIsExceededOnWhatFinishedOrCertainOnTheWholeBatch(double ratio, int minJobs, int failed, int succeeded,
            int open, Crossed crossed) {
        var policies = new BatchPolicies(ratio, minJobs, List.of(), null);

        String message = policies.failureRatioCrossed(failed, succeeded, open);

        assertThat(Crossed.of(message)).as(message).isEqualTo(crossed);
    }

    enum Crossed {

        NONE, EXCEEDED, CERTAIN;

        static Crossed of(@Nullable String message) {
            if (message == null) {
                return NONE;
            }
            return message.contains("can no longer stay within") ? CERTAIN : EXCEEDED;
        }

    }

    @Test
    void theMessagesGiveTheFigures() {
        var policies = new BatchPolicies(0.2, 10, List.of(), null);

        assertThat(policies.failureRatioCrossed(3, 7, 10))
            .isEqualTo("3 of 10 finished jobs failed (30.0%), above maxFailureRatio 0.2");
        assertThat(policies.failureRatioCrossed(5, 0, 15)).isEqualTo("5 of 20 jobs failed (25.0%) and 15 are still "
                + "to finish: even if they all succeed, the batch can no longer stay within maxFailureRatio 0.2");
        assertThat(BatchPolicies.NONE.failureRatioCrossed(100, 0, 0)).as("no ratio").isNull();
    }

    @Test
    void theFirstRuleThatMatchesDecides() {
        var io = new ErrorRule(JobError.IO, null, null, null, ErrorAction.RETRY, null);
        var clientError = new ErrorRule(null, HttpStatusMatch.parse("4xx"), null, null, ErrorAction.FAIL_BATCH, null);
        var notFound = new ErrorRule(null, HttpStatusMatch.parse("404"), null, null, ErrorAction.IGNORE, null);
        var policies = new BatchPolicies(null, 0, List.of(io, clientError, notFound), null);

        assertThat(policies.ruleFor(new JobError(JobError.HTTP_STATUS, "404", null, 404)))
            .isEqualTo(new BatchPolicies.MatchedRule(1, clientError))
            .extracting(BatchPolicies.MatchedRule::path)
            .isEqualTo("onError[1]");
        assertThat(policies.ruleFor(new JobError(JobError.IO, "refused", null))).extracting(r -> r.rule().action())
            .isEqualTo(ErrorAction.RETRY);
        assertThat(policies.ruleFor(new JobError(JobError.TIMEOUT, "slow", null))).isNull();
    }

    @Test
    void aRatioIsBetweenZeroAndOne() {
        assertThatThrownBy(() -> new BatchPolicies(1.5, 0, List.of(), null))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BatchPolicies(Double.NaN, 0, List.of(), null))
            .isInstanceOf(IllegalArgumentException.class);
    }

}
