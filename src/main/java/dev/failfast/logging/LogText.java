package dev.failfast.logging;

import org.jspecify.annotations.Nullable;

/**
 * A value a client chose (a cancel reason, a job's error message, a job id, a key name, a
 * token's subject), made safe for one log line. Wrap every such argument of a log
 * statement: {@code log.info("Batch {} cancelled: {}", id, LogText.of(reason))}.
 *
 * <p>
 * Without it a reason of {@code "x\r\n2026-01-01 INFO forged line"} writes a second,
 * forged line into a plain-text log, and a 100 KB failure message writes 100 KB into
 * every line that names the cause. So control characters (C0, DEL, C1), the Unicode line
 * and paragraph separators and the bidirectional overrides (which make a line read
 * differently than it is written) are escaped as {@code \n}, {@code \r}, {@code \t} or
 * {@code \}{@code uXXXX}, a backslash as two, so that an escape cannot be faked either;
 * and the result is cut at {@value #MAX_LENGTH} characters, followed by
 * {@code …[cut, <original length> chars]}. JSON logs encode control characters
 * themselves, but the length cap matters there too.
 *
 * <p>
 * The text is made when the line is written ({@link #toString()}), so a statement whose
 * level is off costs nothing but this wrapper.
 */
public final class LogText {

    /** The most characters of a value a line shows, escapes included. */
    public static final int MAX_LENGTH = 256;

    private final @Nullable Object value;

    private LogText(@Nullable Object value) {
        this.value = value;
    }

    /** {@code value}'s {@code toString()}, escaped and capped when logged. */
    public static LogText of(@Nullable Object value) {
        return new LogText(value);
    }

    /** {@code text} escaped and capped at {@value #MAX_LENGTH} characters. */
    public static String escape(@Nullable String text) {
        if (text == null) {
            return "null";
        }
        if (text.length() <= MAX_LENGTH && isPlain(text)) {
            return text;
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_LENGTH) + 32);
        for (int i = 0; i < text.length(); i++) {
            String escaped = escaped(text.charAt(i));
            if (out.length() + escaped.length() > MAX_LENGTH) {
                if (i > 0 && Character.isLowSurrogate(text.charAt(i))
                        && Character.isHighSurrogate(text.charAt(i - 1))) {
                    out.setLength(out.length() - 1); // not half a character
                }
                return out.append("…[cut, ").append(text.length()).append(" chars]").toString();
            }
            out.append(escaped);
        }
        return out.toString();
    }

    private static boolean isPlain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' || needsEscape(c)) {
                return false;
            }
        }
        return true;
    }

    private static boolean needsEscape(char c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == '\u2028' || c == '\u2029'
                || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069') || c == '\u200E'
                || c == '\u200F' || c == '\u061C';
    }

    private static String escaped(char c) {
        return switch (c) {
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            case '\\' -> "\\\\";
            default -> needsEscape(c) ? "\\u%04X".formatted((int) c) : String.valueOf(c);
        };
    }

    @Override
    public String toString() {
        return escape(value == null ? null : value.toString());
    }

}
