package dev.failfast.batch;

import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One entry of a batch's {@code onError} list: which failed attempts it matches and what
 * it does with them. Every condition given must hold; a rule with none matches every
 * failure. The list is tried in order and the first rule that matches wins.
 *
 * @param errorType the error's type, exactly ({@code TIMEOUT}, {@code HTTP_STATUS},
 * {@code IO}, {@code JOB_ERROR} or a job type's own code)
 * @param httpStatus the HTTP status the error carries, one or a class
 * @param exception the exception class that ended the attempt: its full or its simple
 * name
 * @param message a regular expression found somewhere in the error's message; its search
 * is bounded (see {@link BoundedText}) so a pathological expression cannot hold a thread
 * @param action what a matching failure does
 * @param retry for {@link ErrorAction#RETRY}: the retry policy to use instead of the
 * job's own; null to use the job's
 */
public record ErrorRule(@Nullable String errorType, @Nullable HttpStatusMatch httpStatus, @Nullable String exception,
        @Nullable Pattern message, ErrorAction action, @Nullable RetryPolicy retry) {

    /** Longest regular expression accepted for {@code message}. */
    public static final int MAX_MESSAGE_PATTERN_LENGTH = 512;

    public ErrorRule {
        Objects.requireNonNull(action, "action");
        if (retry != null && action != ErrorAction.RETRY) {
            throw new IllegalArgumentException("retry is only for action RETRY, not " + action);
        }
    }

    /** Whether this rule matches {@code error}. */
    public boolean matches(JobError error) {
        if (errorType != null && !errorType.equals(error.type())) {
            return false;
        }
        if (httpStatus != null && !httpStatus.matches(error.httpStatus())) {
            return false;
        }
        if (exception != null && !exceptionMatches(error.exception())) {
            return false;
        }
        return message == null || BoundedText.find(message, error.message());
    }

    private boolean exceptionMatches(@Nullable String className) {
        if (className == null) {
            return false;
        }
        return className.equals(exception) || className.endsWith("." + exception)
                || className.endsWith("$" + exception);
    }

    // A Pattern has identity equality; two rules with the same expression are equal.
    @Override
    public boolean equals(Object other) {
        return other instanceof ErrorRule rule && Objects.equals(errorType, rule.errorType)
                && Objects.equals(httpStatus, rule.httpStatus) && Objects.equals(exception, rule.exception)
                && Objects.equals(patternText(), rule.patternText()) && action == rule.action
                && Objects.equals(retry, rule.retry);
    }

    @Override
    public int hashCode() {
        return Objects.hash(errorType, httpStatus, exception, patternText(), action, retry);
    }

    private @Nullable String patternText() {
        return message == null ? null : message.pattern();
    }

}
