package dev.failfast.batch;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP statuses an {@link ErrorRule} matches: one status ({@code 404}) or a class of
 * them ({@code 4xx}).
 *
 * @param from lowest status matched
 * @param to highest status matched
 */
public record HttpStatusMatch(int from, int to) {

    private static final Pattern STATUS = Pattern.compile("[1-5][0-9][0-9]");

    private static final Pattern STATUS_CLASS = Pattern.compile("[1-5]xx");

    public HttpStatusMatch {
        if (from < 100 || to > 599 || from > to) {
            throw new IllegalArgumentException("not an HTTP status range: " + from + "-" + to);
        }
    }

    /**
     * Parses {@code 404} or {@code 4xx} (case-insensitive {@code x}).
     * @throws IllegalArgumentException for anything else
     */
    public static HttpStatusMatch parse(String text) {
        String value = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (STATUS.matcher(value).matches()) {
            int status = Integer.parseInt(value);
            return new HttpStatusMatch(status, status);
        }
        if (STATUS_CLASS.matcher(value).matches()) {
            int base = (value.charAt(0) - '0') * 100;
            return new HttpStatusMatch(base, base + 99);
        }
        throw new IllegalArgumentException("must be an HTTP status such as 404 or a class such as 4xx, was " + text);
    }

    public boolean matches(@Nullable Integer status) {
        return status != null && status >= from && status <= to;
    }

    /** {@code 404} or {@code 4xx}, as a client wrote it. */
    @Override
    public String toString() {
        return from == to ? Integer.toString(from) : (from / 100) + "xx";
    }

}
