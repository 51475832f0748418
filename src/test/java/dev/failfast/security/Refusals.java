package dev.failfast.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import tools.jackson.databind.JsonNode;

/**
 * What a refused request looks like to a client: RFC 6750 status and header,
 * problem+json.
 */
final class Refusals {

    private static final String TYPE_BASE = "https://failfast.dev/problems/";

    private Refusals() {
    }

    /**
     * 401 for credentials the service does not accept: {@code WWW-Authenticate: Bearer}
     * with {@code error="invalid_token"}, and an unauthorized problem.
     * @return the problem
     */
    static JsonNode assertInvalidToken(ApiClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(401);
        assertThat(response.headers().firstValue("WWW-Authenticate")).as(response.body())
            .hasValueSatisfying(header -> assertThat(header).startsWith("Bearer").contains("error=\"invalid_token\""));
        return assertProblem(response, "unauthorized");
    }

    /**
     * 403 for a caller without {@code scope}: {@code WWW-Authenticate: Bearer} with
     * {@code error="insufficient_scope"} and the scope (RFC 6750, section 3.1), and a
     * missing-scope problem that names it.
     */
    static void assertMissingScope(ApiClient.Response response, String scope) {
        assertThat(response.status()).as(response.body()).isEqualTo(403);
        assertThat(response.headers().firstValue("WWW-Authenticate")).as(response.body())
            .hasValueSatisfying(header -> assertThat(header).startsWith("Bearer ")
                .contains("error=\"insufficient_scope\"", "scope=\"" + scope + "\""));
        assertThat(assertProblem(response, "missing-scope").get("requiredScope").asString()).isEqualTo(scope);
    }

    private static JsonNode assertProblem(ApiClient.Response response, String kind) {
        assertThat(response.contentType()).as(response.body()).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("type").asString()).as(response.body()).isEqualTo(TYPE_BASE + kind);
        return problem;
    }

}
