package dev.failfast.security;

import static dev.failfast.ApiClient.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import dev.failfast.testing.TestKeys;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Who may call what, over real HTTP with real keys: nothing but the health probes answers
 * an anonymous caller; each operation needs its scope, and a refusal says which; keys are
 * created, shown once, stored hashed, and stop working when revoked or expired.
 */
@FailfastServerTest
@ExtendWith(OutputCaptureExtension.class)
class ApiSecurityTest {

    private static final String NO_SUCH_BATCH = "/api/v1/batches/" + UUID.randomUUID();

    @LocalServerPort
    int port;

    @Autowired
    DataSource dataSource;

    ApiClient admin;

    @BeforeEach
    void adminClient() {
        admin = new ApiClient(port);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            POST   | /api/v1/batches
            GET    | /api/v1/batches
            GET    | /api/v1/batches/0193c3b0-5d7e-7c4a-9f1e-3b2a1c0d9e8f
            DELETE | /api/v1/batches/0193c3b0-5d7e-7c4a-9f1e-3b2a1c0d9e8f
            POST   | /api/v1/batches/0193c3b0-5d7e-7c4a-9f1e-3b2a1c0d9e8f/cancel
            GET    | /api/v1/batches/0193c3b0-5d7e-7c4a-9f1e-3b2a1c0d9e8f/events
            GET    | /api/v1/batches/0193c3b0-5d7e-7c4a-9f1e-3b2a1c0d9e8f/jobs
            GET    | /api/v1/batches/0193c3b0-5d7e-7c4a-9f1e-3b2a1c0d9e8f/jobs/a
            POST   | /api/v1/api-keys
            GET    | /api/v1/api-keys
            GET    | /api/v1/api-keys/0193c3b0-5d7e-7c4a-9f1e-3b2a1c0d9e8f
            DELETE | /api/v1/api-keys/0193c3b0-5d7e-7c4a-9f1e-3b2a1c0d9e8f
            GET    | /actuator/prometheus
            GET    | /actuator/metrics
            GET    | /actuator/info
            GET    | /v3/api-docs
            GET    | /swagger-ui/index.html
            GET    | /no/such/path
            """)
    void anonymousCallersAndUnknownKeysGet401WithAChallengeAndAProblem(String method, String path) {
        ApiClient.Response anonymous = send(admin.as(null), method, path);
        assertThat(anonymous.status()).as(anonymous.body()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"failfast\"");
        assertThat(anonymous.contentType()).startsWith("application/problem+json");
        assertThat(anonymous.json().get("type").asString()).isEqualTo("https://failfast.dev/problems/unauthorized");
        assertThat(anonymous.json().get("detail").asString()).contains("Authorization: Bearer");

        String unknownKey = "ffk_" + "x".repeat(43);
        ApiClient.Response unknown = send(admin.as(unknownKey), method, path);
        assertThat(unknown.status()).isEqualTo(401);
        assertThat(unknown.headers().firstValue("WWW-Authenticate").orElseThrow()).startsWith("Bearer")
            .contains("error=\"invalid_token\"");
        assertThat(unknown.json().get("detail").asString()).isEqualTo("The API key is unknown, expired or revoked");
        assertThat(unknown.body()).doesNotContain(unknownKey);
    }

    @Test
    void healthProbesAnswerAnonymousCallers() {
        ApiClient anonymous = admin.as(null);
        for (String probe : List.of("/actuator/health", "/actuator/health/liveness", "/actuator/health/readiness")) {
            assertThat(anonymous.get(probe).status()).as(probe).isEqualTo(200);
        }
    }

    @ParameterizedTest(name = "{0} {1} needs {2}")
    @CsvSource(delimiter = '|', textBlock = """
            POST   | /api/v1/batches                         | batches:write
            GET    | /api/v1/batches                         | batches:read
            HEAD   | /api/v1/batches                         | batches:read
            HEAD   | NO_SUCH_BATCH/events                    | batches:read
            PUT    | NO_SUCH_BATCH                           | batches:read
            GET    | NO_SUCH_BATCH                           | batches:read
            GET    | NO_SUCH_BATCH/jobs                      | batches:read
            GET    | NO_SUCH_BATCH/jobs/a                    | batches:read
            GET    | NO_SUCH_BATCH/events                    | batches:read
            POST   | NO_SUCH_BATCH/cancel                    | batches:cancel
            DELETE | NO_SUCH_BATCH                           | batches:delete
            POST   | /api/v1/api-keys                        | admin
            GET    | /api/v1/api-keys                        | admin
            DELETE | /api/v1/api-keys/0193c3b0-5d7e-7c4a-9f1e-3b2a1c0d9e8f | admin
            GET    | /actuator/prometheus                    | metrics:read
            GET    | /actuator/info                          | metrics:read
            """)
    void eachOperationNeedsItsScopeAndARefusalNamesIt(String method, String path, String scope) {
        String resolved = path.replace("NO_SUCH_BATCH", NO_SUCH_BATCH);
        String[] everyOtherScope = List
            .of("batches:read", "batches:write", "batches:cancel", "batches:delete", "metrics:read")
            .stream()
            .filter(other -> !other.equals(scope))
            .toArray(String[]::new);

        ApiClient.Response refused = send(admin.withNewKey("team-scopes", everyOtherScope), method, resolved);
        assertThat(refused.status()).as(refused.body()).isEqualTo(403);
        assertThat(refused.headers().firstValue("WWW-Authenticate").orElseThrow())
            .contains("error=\"insufficient_scope\"")
            .contains("scope=\"" + scope + "\"");
        if (!method.equals("HEAD")) {
            assertThat(refused.json().get("type").asString()).isEqualTo("https://failfast.dev/problems/missing-scope");
            assertThat(refused.json().get("requiredScope").asString()).isEqualTo(scope);
            assertThat(refused.json().get("detail").asString()).contains(scope);
        }

        if (!scope.equals("admin")) {
            ApiClient.Response allowed = send(admin.withNewKey("team-scopes", scope), method, resolved);
            assertThat(allowed.status()).as(allowed.body()).isNotIn(401, 403);
        }
    }

    @Test
    void aKeyIsShownOnceStoredHashedListedWithoutItAndStopsWorkingWhenRevoked(CapturedOutput output) {
        ApiClient.Response created = admin.post("/api/v1/api-keys",
                Map.of("name", "ci deploy", "tenant", "team-a", "scopes", List.of("batches:read", "batches:write")));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        JsonNode body = created.json();
        String id = body.get("id").asString();
        String secret = body.get("key").asString();
        assertThat(secret).matches("ffk_[A-Za-z0-9_-]{43}");
        assertThat(created.headers().firstValue("Location").orElseThrow()).endsWith("/api/v1/api-keys/" + id);
        assertThat(body.get("tenant").asString()).isEqualTo("team-a");
        assertThat(body.get("createdBy").asString()).startsWith("key:");

        ApiClient holder = admin.as(secret);
        String batch = holder.submit(Map.of("jobs", List.of(sleep("a", "PT0S"))));
        assertThat(holder.batch(batch).get("tenant").asString()).isEqualTo("team-a");
        assertThat(holder.batch(batch).get("submittedBy").asString()).isEqualTo("key:" + id);

        ApiClient.Response listed = admin.get("/api/v1/api-keys?tenant=team-a");
        assertThat(listed.body()).doesNotContain(secret).doesNotContain(KeySecrets.hash(secret));
        JsonNode listedKey = listed.json()
            .get("content")
            .valueStream()
            .filter(key -> key.get("id").asString().equals(id))
            .findFirst()
            .orElseThrow();
        assertThat(listedKey.has("key")).isFalse();
        assertThat(listedKey.get("prefix").asString()).isEqualTo(secret.substring(0, 8));
        assertThat(listedKey.get("active").asBoolean()).isTrue();
        assertThat(listedKey.get("lastUsedAt").isNull()).as("used just now").isFalse();

        var stored = JdbcClient.create(dataSource)
            .sql("SELECT * FROM api_key WHERE id = ?")
            .param(UUID.fromString(id))
            .query()
            .singleRow();
        assertThat(stored.values()).noneMatch(value -> value != null && value.toString().contains(secret));
        assertThat(stored.get("key_hash")).isEqualTo(KeySecrets.hash(secret));

        assertThat(admin.delete("/api/v1/api-keys/" + id).status()).isEqualTo(204);
        assertThat(holder.get("/api/v1/batches/" + batch).status()).as("revoked").isEqualTo(401);
        assertThat(admin.delete("/api/v1/api-keys/" + id).status()).as("revoking twice changes nothing").isEqualTo(204);
        JsonNode revoked = admin.get("/api/v1/api-keys/" + id).json();
        assertThat(revoked.get("active").asBoolean()).isFalse();
        assertThat(revoked.get("revokedBy").asString()).startsWith("key:");
        assertThat(output.getAll()).as("the key is never logged").doesNotContain(secret);
    }

    @Test
    void anExpiredKeyIsRefused() {
        Instant soon = Instant.now().plusSeconds(2);
        ApiClient.Response created = admin.post("/api/v1/api-keys", Map.of("name", "short-lived", "tenant", "team-a",
                "scopes", List.of("batches:read"), "expiresAt", soon.toString()));
        ApiClient holder = admin.as(created.json().get("key").asString());
        assertThat(holder.get("/api/v1/batches").status()).isEqualTo(200);

        await().atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(200))
            .until(() -> holder.get("/api/v1/batches").status() == 401);
        assertThat(
                admin.get("/api/v1/api-keys/" + created.json().get("id").asString()).json().get("active").asBoolean())
            .isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|',
            textBlock = """
                    unknown scope       | {"name": "x", "tenant": "a", "scopes": ["batches:read", "batches:everything"]} | scopes[1]
                    no scopes           | {"name": "x", "tenant": "a", "scopes": []}                                     | scopes
                    bad tenant          | {"name": "x", "tenant": "../etc", "scopes": ["admin"]}                         | tenant
                    no tenant           | {"name": "x", "scopes": ["admin"]}                                             | tenant
                    no name             | {"tenant": "a", "scopes": ["admin"]}                                           | name
                    control characters  | {"name": "x\\u0000y", "tenant": "a", "scopes": ["admin"]}                       | name
                    expiry in the past  | {"name": "x", "tenant": "a", "scopes": ["admin"], "expiresAt": "2020-01-01T00:00:00Z"} | expiresAt
                    expiry too far      | {"name": "x", "tenant": "a", "scopes": ["admin"], "expiresAt": "+300000-01-01T00:00:00Z"} | expiresAt
                    """)
    void anInvalidKeyRequestIs400NamingTheField(String why, String body, String field) {
        ApiClient.Response response = admin.post("/api/v1/api-keys", body);

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("errors").valueStream().map(error -> error.get("field").asString()))
            .contains(field);
    }

    @ParameterizedTest
    @CsvSource({ "/api/v1/batches?tenant=%00", "/api/v1/batches?tenant=../etc", "/api/v1/api-keys?tenant=a%20b" })
    void aBadTenantFilterIs400(String path) {
        ApiClient.Response response = admin.get(path);

        assertThat(response.status()).as(response.body()).isEqualTo(400);
        assertThat(response.json().get("errors").get(0).get("field").asString()).isEqualTo("tenant");
    }

    @Test
    void aKeyPastedWhereAnIdBelongsIsNotEchoed() {
        String pasted = "ffk_" + "s".repeat(43);
        ApiClient.Response response = admin.delete("/api/v1/api-keys/" + pasted);

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("errors").toString()).doesNotContain(pasted);
    }

    @Test
    void theBootstrapKeyIsAnAdminOfTheDefaultTenant() {
        JsonNode keys = admin.get("/api/v1/api-keys?tenant=default").json();

        assertThat(keys.get("content").valueStream())
            .as("a secret the operator chose is shown by a fingerprint of its hash, not by its first characters")
            .anySatisfy(key -> assertThat(key.get("prefix").asString())
                .isEqualTo("sha256:" + KeySecrets.hash(TestKeys.ADMIN).substring(0, 8)))
            .allSatisfy(key -> assertThat(key.get("tenant").asString()).isEqualTo("default"));
    }

    private static ApiClient.Response send(ApiClient client, String method, String path) {
        var request = HttpRequest.newBuilder(client.uri(path));
        return client.send(switch (method) {
            case "POST" -> request.header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(ApiClient.json(Map.of("jobs", List.of(sleep("a", "PT0S"))))));
            case "DELETE" -> request.DELETE();
            case "HEAD" -> request.HEAD();
            case "PUT" ->
                request.header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{}"));
            default -> request.GET();
        });
    }

}
