package dev.failfast.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every problem answer of a web slice must look like (RFC 9457, see
 * {@link ProblemHandler}).
 */
final class Problems {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Problems() {
    }

    /**
     * A problem+json of this status and kind, about the request's path, that names no
     * exception, Java type or stack frame.
     * @return the problem, to look at its extension properties
     */
    static JsonNode assertProblem(MvcTestResult result, int status, String kind) {
        String body = new String(result.getResponse().getContentAsByteArray(), StandardCharsets.UTF_8);
        assertThat(result).as(body).hasStatus(status).hasContentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON);
        JsonNode problem = JSON.readTree(body);
        assertThat(problem.get("type").asString()).as(body).isEqualTo(ProblemHandler.TYPE_BASE + kind);
        assertThat(problem.get("status").asInt()).as(body).isEqualTo(status);
        assertThat(problem.get("title").asString()).as(body).isNotBlank();
        assertThat(problem.get("instance").asString()).as(body).isEqualTo(result.getRequest().getRequestURI());
        assertThat(body).doesNotContain("Exception", "\tat ", "trace", "dev.failfast.", "java.", "tools.jackson");
        return problem;
    }

    /**
     * The {@code field}s of an invalid-request problem's {@code errors}, each with its
     * message.
     */
    static JsonNode errors(JsonNode problem) {
        return problem.get("errors");
    }

    static JsonNode json(MvcTestResult result) {
        return JSON.readTree(new String(result.getResponse().getContentAsByteArray(), StandardCharsets.UTF_8));
    }

}
