package dev.failfast.client;

import java.util.Objects;

/**
 * One invalid field of a request, as a {@code 400} problem's {@code errors} lists it.
 *
 * @param field the field's path, such as {@code jobs[0].params.duration}
 * @param message what is wrong with it
 */
public record FieldError(String field, String message) {

    /** Checks that both are given. */
    public FieldError {
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(message, "message");
    }

}
