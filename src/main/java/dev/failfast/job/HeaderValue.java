package dev.failfast.job;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The value of one {@code http} job header: either the literal text the client sent, or a
 * reference to a secret the operator configured ({@code failfast.jobs.http.secrets.*}),
 * resolved at each attempt so that the client never sees it and it is never stored.
 */
sealed interface HeaderValue {

    /**
     * What a secret's name may be: names end up in error messages and log lines, so no
     * spaces, line breaks or other surprises.
     */
    Pattern SECRET_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /**
     * What a header value sent may hold: visible ASCII, Latin-1, spaces and tabs; no CR,
     * LF or other control characters. Both a job's literal values and a resolved secret
     * must match.
     */
    Pattern SENDABLE = Pattern.compile("[\\t\\x20-\\x7E\\x80-\\xFF]*");

    /** Fields of a reference. */
    Set<String> REFERENCE_FIELDS = Set.of("secretRef", "prefix", "suffix");

    /**
     * Reads a header value: a string, or {@code {"secretRef": "<name>"}} with an optional
     * {@code prefix} and {@code suffix}.
     * @throws InvalidParamValueException for any other shape (its message is the
     * client's)
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static HeaderValue of(JsonNode node) {
        if (node.isString()) {
            return new Literal(node.stringValue());
        }
        String expected = "must be a string or {\"secretRef\": \"<name>\"} with an optional prefix and suffix";
        if (!node.isObject()) {
            throw new InvalidParamValueException(expected);
        }
        for (String field : node.propertyNames()) {
            if (!REFERENCE_FIELDS.contains(field)) {
                throw new InvalidParamValueException("unknown field '" + field + "'; " + expected);
            }
        }
        JsonNode name = node.get("secretRef");
        if (name == null || !name.isString() || !SECRET_NAME.matcher(name.stringValue()).matches()) {
            throw new InvalidParamValueException(
                    "secretRef must name a secret: 1 to 64 letters, digits, '.', '_' or '-'");
        }
        return new SecretRef(name.stringValue(), text(node, "prefix"), text(node, "suffix"));
    }

    private static String text(JsonNode reference, String field) {
        JsonNode value = reference.get(field);
        if (value == null || value.isNull()) {
            return "";
        }
        if (!value.isString()) {
            throw new InvalidParamValueException(field + " must be a string");
        }
        return value.stringValue();
    }

    /** A header value the client gave as it is (stored with the job's params). */
    record Literal(String value) implements HeaderValue {
    }

    /**
     * A secret of the operator's, sent as {@code prefix + secret + suffix} (for instance
     * {@code "prefix": "Bearer "}); only the name is stored.
     */
    record SecretRef(String name, String prefix, String suffix) implements HeaderValue {

        /** What the header looks like with {@code stand_in} in place of the secret. */
        String around(String standIn) {
            return prefix + standIn + suffix;
        }
    }

}
