package dev.failfast.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client's regular expression is searched in an error message within a budget: a
 * catastrophic expression ends as no match instead of holding the settling thread.
 */
class BoundedTextTest {

    private static final String RUN_OF_A = "a".repeat(4096);

    // Not a speed assertion: an unbounded search of (a+)+b in 4096 a's never ends in any
    // test run (2^4096 paths), so a bounded one is the only way this test finishes.
    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aCatastrophicExpressionOnALongMessageIsNoMatch() {
        assertThat(BoundedText.find(Pattern.compile("(a+)+b"), RUN_OF_A)).isFalse();
        // Each search has a budget of its own: the next one is not starved by the last.
        assertThat(BoundedText.find(Pattern.compile("(a+)+b"), RUN_OF_A)).isFalse();
        assertThat(BoundedText.find(Pattern.compile("a{4096}"), RUN_OF_A)).isTrue();
    }

    @Test
    void ordinaryExpressionsAreFoundAnywhereInTheMessage() {
        assertThat(BoundedText.find(Pattern.compile("(a+)+b"), "aaab")).isTrue();
        assertThat(BoundedText.find(Pattern.compile("b$"), RUN_OF_A + "b")).isTrue();
        assertThat(BoundedText.find(Pattern.compile("connection (refused|reset)"),
                "HTTP request to http://x/ failed: connection reset by peer"))
            .isTrue();
        assertThat(BoundedText.find(Pattern.compile("^refused"), "connection refused")).isFalse();
    }

}
