package dev.failfast.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class LogTextTest {

    @Test
    void aForgedLineStaysOnTheLineItWasWrittenInto() {
        String reason = "wrong file\r\n1999-12-31T23:59:59.999Z  INFO 1 --- [main] dev.failfast.audit : forged";

        String logged = LogText.of(reason).toString();

        assertThat(logged).doesNotContain("\r", "\n")
            .isEqualTo("wrong file\\r\\n1999-12-31T23:59:59.999Z  INFO 1 --- [main] dev.failfast.audit : forged");
    }

    @Test
    void escapesEveryCharacterThatCouldBreakOrDisguiseALine() {
        assertThat(Stream
            .of("tab\there", "nul\u0000", "escape\u001b[31mred", "del\u007f", "c1\u0085next-line", "ls\u2028ps\u2029",
                    "bidi\u202Eevil", "isolate\u2066x\u2069", "back\\slash", "plain text, ünïcödé and 😀")
            .map(LogText::escape)).containsExactly("tab\\there", "nul\\u0000", "escape\\u001B[31mred", "del\\u007F",
                    "c1\\u0085next-line", "ls\\u2028ps\\u2029", "bidi\\u202Eevil", "isolate\\u2066x\\u2069",
                    "back\\\\slash", "plain text, ünïcödé and 😀");
    }

    @Test
    void aLongValueIsCutAndSaysHowLongItWas() {
        String logged = LogText.escape("x".repeat(100 * 1024));

        assertThat(logged).startsWith("x".repeat(LogText.MAX_LENGTH) + "…[cut, 102400 chars]")
            .hasSize(LogText.MAX_LENGTH + "…[cut, 102400 chars]".length());
        assertThat(LogText.escape("x".repeat(LogText.MAX_LENGTH))).as("at the cap, nothing is cut")
            .isEqualTo("x".repeat(LogText.MAX_LENGTH));
    }

    @Test
    void theCapCountsEscapesAndNeverSplitsACharacterOrAnEscape() {
        String newlines = LogText.escape("\n".repeat(1000));
        assertThat(newlines).startsWith("\\n".repeat(LogText.MAX_LENGTH / 2) + "…[cut, 1000 chars]");

        String controls = LogText.escape("\u0001".repeat(1000));
        int whole = LogText.MAX_LENGTH / 6;
        assertThat(controls).isEqualTo("\\u0001".repeat(whole) + "…[cut, 1000 chars]");

        String emoji = LogText.escape("a" + "😀".repeat(500));
        assertThat(emoji).isEqualTo("a" + "😀".repeat((LogText.MAX_LENGTH - 1) / 2) + "…[cut, 1001 chars]");
    }

    @Test
    void nullAndOtherValuesAreLoggedByTheirText() {
        assertThat(LogText.of(null)).hasToString("null");
        assertThat(LogText.of(List.of("a\nb", "c"))).hasToString("[a\\nb, c]");
    }

}
