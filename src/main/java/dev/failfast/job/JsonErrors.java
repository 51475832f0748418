package dev.failfast.job;

import java.time.Duration;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.exc.ValueInstantiationException;

/**
 * Turns a Jackson error into what a client can act on: the path of the bad field
 * ({@code jobs[3].timeout}) and a short message without class names or parser internals.
 */
public final class JsonErrors {

    private JsonErrors() {
    }

    /**
     * The JSON path of the error, e.g. {@code jobs[3].timeout}; empty at the document
     * root.
     */
    public static String path(JacksonException e) {
        return e.getPath()
            .stream()
            .map(ref -> ref.getPropertyName() != null ? ref.getPropertyName() : "[" + ref.getIndex() + "]")
            .collect(Collectors.joining("."))
            .replace(".[", "[");
    }

    public static String message(JacksonException e) {
        return switch (e) {
            case UnrecognizedPropertyException unknown -> "unknown field" + known(unknown);
            case ValueInstantiationException creator when creator
                .getCause() instanceof InvalidParamValueException invalid -> String.valueOf(invalid.getMessage());
            case MismatchedInputException mismatch when mismatch.getTargetType() != null -> {
                Class<?> target = mismatch.getTargetType();
                String value = e instanceof InvalidFormatException invalid ? " '" + invalid.getValue() + "'" : "";
                if (target == Duration.class) {
                    yield "invalid duration" + value + "; expected ISO-8601, e.g. PT30S";
                }
                if (target.isEnum()) {
                    yield "invalid value" + value + "; expected one of " + Arrays.toString(target.getEnumConstants());
                }
                yield "invalid value" + value + "; expected " + describe(target);
            }
            case StreamReadException read -> "malformed JSON" + at(read.getLocation());
            default -> "invalid value";
        };
    }

    /**
     * The fields the object takes, sorted, so a typo can be fixed from the answer alone.
     */
    private static String known(UnrecognizedPropertyException e) {
        if (e.getKnownPropertyIds() == null || e.getKnownPropertyIds().isEmpty()) {
            return "";
        }
        return "; known fields: " + e.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
    }

    private static String describe(Class<?> type) {
        if (type == String.class) {
            return "a string";
        }
        if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != boolean.class)) {
            return "a number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (Iterable.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        return "an object";
    }

    private static String at(@Nullable TokenStreamLocation location) {
        return location == null || location.getLineNr() < 0 ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

}
