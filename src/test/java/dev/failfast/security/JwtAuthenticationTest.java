package dev.failfast.security;

import static dev.failfast.security.Refusals.assertInvalidToken;
import static dev.failfast.security.Refusals.assertMissingScope;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * OIDC bearer tokens, end to end: the service finds the issuer's keys through its
 * discovery document (real HTTP on loopback), checks the signature, issuer and expiry,
 * and acts for the tenant and scopes the token names; API keys work beside them.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class JwtAuthenticationTest {

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

    ApiClient admin;

    @BeforeEach
    void setUp() {
        admin = new ApiClient(port);
    }

    @Test
    void aTokenSubmitsAndReadsBatchesOfItsTenantAsItsSubject() {
        ApiClient alice = admin
            .as(issuer.token("alice", Map.of("tenant", "team-a", "scope", "batches:write batches:read")));

        String id = alice.submit(aBatch());

        JsonNode batch = alice.batch(id);
        assertThat(batch.get("tenant").asString()).isEqualTo("team-a");
        assertThat(batch.get("submittedBy").asString()).isEqualTo("jwt:alice");
    }

    @Test
    void scopesMayComeAsAnScpList() {
        ApiClient bob = admin
            .as(issuer.token("bob", Map.of("tenant", "team-a", "scp", List.of("batches:write", "batches:read"))));

        String id = bob.submit(aBatch());

        assertThat(bob.batch(id).get("submittedBy").asString()).isEqualTo("jwt:bob");
    }

    @Test
    void aTokenWithoutTheCancelScopeMayNotCancel() {
        ApiClient alice = admin
            .as(issuer.token("alice", Map.of("tenant", "team-a", "scope", "batches:write batches:read")));
        String id = alice.submit(aBatch());

        assertMissingScope(alice.post("/api/v1/batches/" + id + "/cancel", Map.of("reason", "no")), "batches:cancel");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedTokens")
    void aTokenTheServiceMustNotTrustIsRefusedAndToldWhy(String token, String why) {
        ApiClient holder = admin.as(token);

        assertThat(assertInvalidToken(holder.get("/api/v1/batches")).get("detail").asString()).contains(why);
        assertInvalidToken(holder.post("/api/v1/batches", aBatch()));
    }

    static Stream<Arguments> refusedTokens() {
        Map<String, String> valid = Map.of("tenant", "team-a", "scope", "batches:write batches:read");
        return Stream.of(refused("expired", expired(valid), "Jwt expired at"),
                refused("signed by another key", issuer.tokenSignedBy(TestIssuer.newKey(), "alice", valid),
                        "Invalid signature"),
                refused("of another issuer", issuer.token("alice", with(valid, Map.of("iss", "http://127.0.0.1:1/x"))),
                        "The iss claim is not valid"),
                refused("without a tenant", issuer.token("alice", Map.of("scope", "batches:write batches:read")),
                        "no valid 'tenant' claim"),
                refused("with an invalid tenant name", issuer.token("alice", with(valid, Map.of("tenant", "../x"))),
                        "no valid 'tenant' claim"),
                refused("with a subject that is no principal", issuer.token("a\r\nforged log line", valid),
                        "no valid 'sub' claim"),
                refused("a mistyped API key, which no JWT validator sees", "ffk_" + "t".repeat(43),
                        "The API key is unknown, expired or revoked"));
    }

    private static Arguments refused(String what, String token, String why) {
        return Arguments.of(Named.of(what, token), why);
    }

    @Test
    void apiKeysStillWorkBesideTokens() {
        JsonNode key = admin.createKey("team-b", "batches:write", "batches:read");
        ApiClient teamB = admin.as(key.get("key").asString());

        String id = teamB.submit(aBatch());

        JsonNode batch = teamB.batch(id);
        assertThat(batch.get("tenant").asString()).isEqualTo("team-b");
        assertThat(batch.get("submittedBy").asString()).isEqualTo("key:" + key.get("id").asString());
    }

    @Test
    void aTokensTenantDoesNotSeeAnApiKeyTenantsBatch() {
        ApiClient teamB = admin.as(admin.createKey("team-b", "batches:write", "batches:read").get("key").asString());
        String id = teamB.submit(aBatch());
        ApiClient alice = admin.as(issuer.token("alice", Map.of("tenant", "team-a", "scope", "batches:read")));

        ApiClient.Response response = alice.get("/api/v1/batches/" + id);

        assertThat(response.status()).as(response.body()).isEqualTo(404);
        assertThat(alice.get("/api/v1/batches?size=1000").json().get("content").valueStream())
            .extracting(batch -> batch.get("id").asString())
            .doesNotContain(id);
    }

    static Map<String, Object> aBatch() {
        return Map.of("name", "jwt-test", "jobs", List.of(ApiClient.sleep("only", "PT0S")));
    }

    /**
     * A token of the issuer with {@code claims} that expired five minutes ago, beyond the
     * minute of clock skew the validator allows.
     */
    private static String expired(Map<String, ?> claims) {
        Instant issuedAt = Instant.now().minus(Duration.ofMinutes(10));
        return issuer.token("alice", with(claims, Map.of("iat", issuedAt.getEpochSecond(), "exp",
                issuedAt.plus(Duration.ofMinutes(5)).getEpochSecond())));
    }

    private static Map<String, Object> with(Map<String, ?> claims, Map<String, ?> changes) {
        var all = new LinkedHashMap<String, Object>(claims);
        all.putAll(changes);
        return all;
    }

}
