package dev.failfast.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which failed attempts a rule matches: every condition it gives must hold. */
class ErrorRuleTest {

    private static final RetryPolicy THREE = new RetryPolicy(3, Duration.ofSeconds(1), 2.0, Duration.ofSeconds(10));

    @ParameterizedTest(name = "[{index}] type={0} status={1} exception={2} message={3} on {4}/{5}/{6}/{7} -> {8}")
    @CsvSource(
            textBlock = """
                    # rule: errorType, httpStatus, exception,                message;  error: type, status, exception,                       message;                         matches
                    ,             ,    ,                                     ,          JOB_ERROR,  ,     ,                                     boom,                            true
                    IO,           ,    ,                                     ,          IO,         ,     java.net.ConnectException,            refused,                         true
                    IO,           ,    ,                                     ,          HTTP_STATUS, 404, dev.failfast.job.JobFailedException,  Unexpected HTTP status 404,      false
                    ,             4xx, ,                                     ,          HTTP_STATUS, 404, ,                                     Unexpected HTTP status 404,      true
                    ,             4xx, ,                                     ,          HTTP_STATUS, 503, ,                                     Unexpected HTTP status 503,      false
                    ,             429, ,                                     ,          HTTP_STATUS, 429, ,                                     asked to retry,                  true
                    ,             4xx, ,                                     ,          IO,         ,     ,                                     no status at all,                false
                    HTTP_STATUS,  5xx, ,                                     ,          HTTP_STATUS, 503, ,                                     down,                            true
                    HTTP_STATUS,  5xx, ,                                     ,          TIMEOUT,    503,  ,                                     down,                            false
                    ,             ,    ConnectException,                     ,          IO,         ,     java.net.ConnectException,            refused,                         true
                    ,             ,    java.net.ConnectException,            ,          IO,         ,     java.net.ConnectException,            refused,                         true
                    ,             ,    Inner,                                ,          JOB_ERROR,  ,     dev.failfast.Outer$Inner,             boom,                            true
                    ,             ,    Exception,                            ,          IO,         ,     java.net.ConnectException,            refused,                         false
                    ,             ,    ConnectException,                     ,          IO,         ,     ,                                     refused,                         false
                    ,             ,    ,                                     refus,     IO,         ,     ,                                     connection refused,              true
                    ,             ,    ,                                     ^refus,    IO,         ,     ,                                     connection refused,              false
                    IO,           ,    ConnectException,                     refused,   IO,         ,     java.net.ConnectException,            connection refused,              true
                    IO,           ,    ConnectException,                     reset,     IO,         ,     java.net.ConnectException,            connection refused,              false
                    """)
    void aRuleMatchesWhenEveryConditionItGivesHolds(@Nullable String errorType, @Nullable String httpStatus,
            @Nullable String exception, @Nullable String message, String type, @Nullable Integer status,
            @Nullable String errorException, String errorMessage, boolean matches) {
        var rule = new ErrorRule(errorType, httpStatus == null ? null : HttpStatusMatch.parse(httpStatus), exception,
                message == null ? null : Pattern.compile(message), ErrorAction.COUNT, null);

        assertThat(rule.matches(new JobError(type, errorMessage, errorException, status))).isEqualTo(matches);
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            404,  404, 404, 404
            4xx,  400, 499, 4xx
            5XX,  500, 599, 5xx
            ' 429 ', 429, 429, 429
            """)
    void statusesAndClassesParseAsAClientWritesThem(String text, int from, int to, String shown) {
        HttpStatusMatch match = HttpStatusMatch.parse(text);

        assertThat(match).isEqualTo(new HttpStatusMatch(from, to));
        assertThat(match).hasToString(shown);
    }

    @ParameterizedTest
    @CsvSource({ "600", "99", "4x", "4xxx", "x00", "abc", "''", "6xx", "0xx" })
    void anythingElseIsNoStatus(String text) {
        assertThatThrownBy(() -> HttpStatusMatch.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aRetryIsOnlyForRetryAndRulesWithTheSameExpressionAreEqual() {
        assertThatThrownBy(() -> new ErrorRule("IO", null, null, null, ErrorAction.COUNT, THREE))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("only for action RETRY");
        assertThat(new ErrorRule(null, null, null, Pattern.compile("a+"), ErrorAction.RETRY, THREE))
            .isEqualTo(new ErrorRule(null, null, null, Pattern.compile("a+"), ErrorAction.RETRY, THREE))
            .hasSameHashCodeAs(new ErrorRule(null, null, null, Pattern.compile("a+"), ErrorAction.RETRY, THREE))
            .isNotEqualTo(new ErrorRule(null, null, null, Pattern.compile("b+"), ErrorAction.RETRY, THREE));
    }

}
