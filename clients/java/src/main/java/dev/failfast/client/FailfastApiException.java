package dev.failfast.client;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * The service answered with an error: an RFC 9457 problem ({@code application/problem+json}),
 * or a status without one. {@link #type()} is the problem's stable type URI (such as
 * {@code https://failfast.dev/problems/invalid-request}); {@link #errors()} lists the invalid
 * fields of a {@code 400}; {@link #problem()} holds every member, the extensions included
 * ({@code requiredScope}, {@code state}, {@code limit}, …).
 */
public final class FailfastApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;

    private final String type;

    private final String title;

    private final String detail;

    private final List<FieldError> errors;

    private final transient JsonNode problem;

    FailfastApiException(String method, String path, int status, JsonNode problem) {
        super(message(method, path, status, problem));
        this.status = status;
        this.type = problem.path("type").asString("about:blank");
        this.title = problem.path("title").asString("");
        this.detail = problem.path("detail").asString("");
        List<FieldError> fields = new ArrayList<>();
        for (JsonNode error : problem.path("errors")) {
            fields.add(new FieldError(error.path("field").asString(""), error.path("message").asString("")));
        }
        this.errors = List.copyOf(fields);
        this.problem = problem;
    }

    private static String message(String method, String path, int status, JsonNode problem) {
        StringBuilder text = new StringBuilder(method).append(' ').append(path).append(": ").append(status);
        String title = problem.path("title").asString("");
        if (!title.isEmpty()) {
            text.append(' ').append(title);
        }
        String detail = problem.path("detail").asString("");
        if (!detail.isEmpty()) {
            text.append(": ").append(detail);
        }
        for (JsonNode error : problem.path("errors")) {
            text.append("; ").append(error.path("field").asString("")).append(": ").append(error.path("message").asString(""));
        }
        return text.toString();
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The problem's type URI, {@code about:blank} when the answer had none. */
    public String type() {
        return type;
    }

    /** The problem's title, empty when it had none. */
    public String title() {
        return title;
    }

    /** The problem's detail, empty when it had none. */
    public String detail() {
        return detail;
    }

    /** The invalid fields of a {@code 400}, empty for other problems. */
    public List<FieldError> errors() {
        return errors;
    }

    /** The whole problem object (an empty object when the answer was not a problem). */
    public JsonNode problem() {
        return problem;
    }

}
