package dev.failfast.job;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.apache.hc.client5.http.utils.DateUtils;
import org.jspecify.annotations.Nullable;

/**
 * Reads a {@code Retry-After} header (RFC 9110, section 10.2.3): delta-seconds or an
 * HTTP-date.
 */
final class RetryAfter {

    private RetryAfter() {
    }

    /**
     * How long the header asks to wait from {@code now}: zero for a date in the past,
     * empty for a missing or unreadable header.
     */
    static Optional<Duration> parse(@Nullable String value, Instant now) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        String trimmed = value.trim();
        if (trimmed.matches("[0-9]{1,18}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(trimmed)));
        }
        Instant date = DateUtils.parseStandardDate(trimmed);
        if (date == null) {
            return Optional.empty();
        }
        return Optional.of(date.isAfter(now) ? Duration.between(now, date) : Duration.ZERO);
    }

}
