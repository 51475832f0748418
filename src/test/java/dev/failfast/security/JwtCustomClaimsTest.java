package dev.failfast.security;

import static dev.failfast.security.Refusals.assertInvalidToken;
import static dev.failfast.security.Refusals.assertMissingScope;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * An issuer whose tokens carry the tenant and the scopes in claims of its own
 * ({@code failfast.security.jwt.tenant-claim}, {@code .scopes-claim}): those are read,
 * and the standard ones are not.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
        properties = { "failfast.security.jwt.tenant-claim=org", "failfast.security.jwt.scopes-claim=roles" })
class JwtCustomClaimsTest {

    static final TestIssuer issuer = TestIssuer.start();

    @DynamicPropertySource
    static void trustTheIssuer(DynamicPropertyRegistry registry) {
        registry.add("spring.security.oauth2.resourceserver.jwt.issuer-uri", issuer::uri);
    }

    @AfterAll
    static void stopIssuer() {
        issuer.close();
    }

    @LocalServerPort
    int port;

    ApiClient client;

    @BeforeEach
    void setUp() {
        client = new ApiClient(port);
    }

    @Test
    void theTenantAndTheScopesComeFromTheConfiguredClaims() {
        ApiClient carol = client
            .as(issuer.token("carol", Map.of("org", "team-c", "roles", List.of("batches:write", "batches:read"))));

        String id = carol.submit(JwtAuthenticationTest.aBatch());

        JsonNode batch = carol.batch(id);
        assertThat(batch.get("tenant").asString()).isEqualTo("team-c");
        assertThat(batch.get("submittedBy").asString()).isEqualTo("jwt:carol");
    }

    @Test
    void theScopesClaimMayBeOneSpaceSeparatedString() {
        ApiClient carol = client
            .as(issuer.token("carol", Map.of("org", "team-c", "roles", "batches:write batches:read")));

        assertThat(carol.batch(carol.submit(JwtAuthenticationTest.aBatch())).get("tenant").asString())
            .isEqualTo("team-c");
    }

    @Test
    void theStandardScopeClaimsAreNotRead() {
        ApiClient carol = client.as(issuer.token("carol",
                Map.of("org", "team-c", "scope", "batches:write", "scp", List.of("batches:write"))));

        assertMissingScope(carol.post("/api/v1/batches", JwtAuthenticationTest.aBatch()), "batches:write");
    }

    @Test
    void aTokenWithTheStandardTenantClaimButNotTheConfiguredOneIsRefused() {
        ApiClient carol = client
            .as(issuer.token("carol", Map.of("tenant", "team-c", "roles", List.of("batches:read"))));

        JsonNode problem = assertInvalidToken(carol.get("/api/v1/batches"));

        assertThat(problem.get("detail").asString()).contains("'org' claim");
    }

}
