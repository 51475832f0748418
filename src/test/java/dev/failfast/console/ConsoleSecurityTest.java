package dev.failfast.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * The console's assets are public (they hold no data) under a Content Security Policy
 * without inline script or style; its data comes from the API, with a key.
 */
@FailfastServerTest
class ConsoleSecurityTest {

    @LocalServerPort
    int port;

    @Test
    void thePageAndItsModulesAreServedWithoutAKeyUnderAStrictPolicy() {
        var anonymous = new ApiClient(port, null);
        var page = anonymous.get("/console/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.body()).contains("<script type=\"module\" src=\"app.js\"></script>");
        String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(policy)
            .contains("default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
                    "frame-ancestors 'none'")
            .doesNotContain("unsafe-inline")
            .doesNotContain("unsafe-eval");
        assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(page.headers().firstValue("Set-Cookie")).as("no session cookie").isEmpty();

        var module = anonymous.get("/console/views/batch.js");
        assertThat(module.status()).isEqualTo(200);
        assertThat(module.contentType()).contains("javascript");
        assertThat(module.headers().firstValue("Content-Security-Policy")).hasValue(policy);
    }

    @Test
    void consoleWithoutASlashRedirectsToThePage() {
        var response = new ApiClient(port, null)
            .send(HttpRequest.newBuilder(new ApiClient(port).uri("/console")).GET());
        assertThat(response.status()).isEqualTo(302);
        assertThat(response.headers().firstValue("Location"))
            .hasValueSatisfying(l -> assertThat(l).endsWith("/console/"));
    }

    @Test
    void withoutAnIdentityProviderTheConsoleOffersKeysOnlyAndMakesNoSession() {
        var anonymous = new ApiClient(port, null);
        var settings = anonymous.get("/console/config.json");
        assertThat(settings.status()).isEqualTo(200);
        assertThat(settings.json().get("identityProvider").isNull()).isTrue();
        assertThat(settings.headers().firstValue("Set-Cookie")).as("no session, no CSRF cookie").isEmpty();
        assertThat(anonymous.get("/console/oauth2/authorization/acme").status()).isEqualTo(404);
        assertThat(anonymous.get("/console/login/oauth2/code/acme?code=c&state=s").status()).isEqualTo(404);
        assertThat(anonymous.get("/oauth2/authorization/acme").status()).isEqualTo(401);
    }

    @Test
    void theDataIsTheApisAndNeedsAKey() {
        assertThat(new ApiClient(port, null).get("/api/v1/me").status()).isEqualTo(401);
        assertThat(new ApiClient(port, null).get("/api/v1/batches").status()).isEqualTo(401);
    }

    @Test
    void aCallerReadsItsTenantPrincipalAndScopesWithNoScopeNeeded() {
        var admin = new ApiClient(port);
        var key = admin.createKey("console-me", "metrics:read");
        var me = admin.as(key.get("key").asString()).get("/api/v1/me");
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("tenant").asString()).isEqualTo("console-me");
        assertThat(me.json().get("principal").asString()).isEqualTo("key:" + key.get("id").asString());
        assertThat(me.json().get("scopes").valueStream().map(s -> s.asString()).toList())
            .containsExactly("metrics:read");

        var adminMe = admin.get("/api/v1/me").json();
        assertThat(adminMe.get("scopes").valueStream().map(s -> s.asString()).toList()).containsExactly("admin");
    }

}
