package dev.failfast.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The console's sign-in with the company IdP, against a real OIDC provider on loopback
 * ({@link TestIdentityProvider}), driven by an HTTP client that follows redirects and
 * keeps cookies as a browser does: the session it ends with is the ID token's caller, and
 * the API takes it for reads, and for writes only with the CSRF token.
 */
@FailfastServerTest
class ConsoleOidcLoginTest {

    static final TestIdentityProvider idp = new TestIdentityProvider(
            Map.of("sub", "alice", "tenant", "team-idp", "scp", List.of("batches:read", "batches:write", "openid")));

    @DynamicPropertySource
    static void signInWithTheIdp(DynamicPropertyRegistry registry) {
        idp.register(registry);
    }

    @AfterAll
    static void stopTheIdp() {
        idp.close();
    }

    @LocalServerPort
    int port;

    final CookieManager cookies = new CookieManager(null, CookiePolicy.ACCEPT_ALL);

    final HttpClient browser = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.ALWAYS)
        .cookieHandler(cookies)
        .build();

    @Test
    void signingInLandsInTheConsoleWhoseApiCallsAreTheIdTokensCaller() throws Exception {
        var settings = ApiClient.parse(send(get("/console/config.json")).body());
        assertThat(settings.get("identityProvider").get("name").asString()).isEqualTo("Acme SSO");
        String signIn = settings.get("identityProvider").get("signInPath").asString();
        assertThat(signIn).isEqualTo("/console/oauth2/authorization/acme");

        var landed = send(get(signIn));
        assertThat(landed.statusCode()).isEqualTo(200);
        assertThat(landed.uri().getPath()).isEqualTo("/console/");
        assertThat(landed.body()).contains("<script type=\"module\" src=\"app.js\"></script>");
        assertThat(landed.headers().firstValue("Content-Security-Policy").orElseThrow())
            .doesNotContain("unsafe-inline");

        var me = send(get("/api/v1/me"));
        assertThat(me.statusCode()).isEqualTo(200);
        var caller = ApiClient.parse(me.body());
        assertThat(caller.get("tenant").asString()).isEqualTo("team-idp");
        assertThat(caller.get("principal").asString()).isEqualTo("jwt:alice");
        assertThat(caller.get("scopes").valueStream().map(s -> s.asString()).toList()).containsExactly("batches:read",
                "batches:write");

        send(get("/console/config.json")); // as the console does after signing in
        String csrf = cookie("XSRF-TOKEN");
        String batch = ApiClient.json(Map.of("name", "from-the-idp", "jobs", List.of(ApiClient.sleep("a", "PT0S"))));
        var forged = send(post("/api/v1/batches", batch));
        assertThat(forged.statusCode()).as("no CSRF token").isEqualTo(403);
        var wrong = send(post("/api/v1/batches", batch).header("X-XSRF-TOKEN", "not-" + csrf));
        assertThat(wrong.statusCode()).as("a wrong CSRF token").isEqualTo(403);

        var submitted = send(post("/api/v1/batches", batch).header("X-XSRF-TOKEN", csrf));
        assertThat(submitted.statusCode()).isEqualTo(202);
        var read = send(get("/api/v1/batches/" + ApiClient.parse(submitted.body()).get("id").asString()));
        assertThat(ApiClient.parse(read.body()).get("submittedBy").asString()).isEqualTo("jwt:alice");

        var noScope = send(get("/api/v1/api-keys"));
        assertThat(noScope.statusCode()).as("the session's scopes, no more").isEqualTo(403);

        var signOut = send(post("/console/logout", "").header("X-XSRF-TOKEN", csrf));
        assertThat(signOut.statusCode()).isEqualTo(204);
        assertThat(send(get("/api/v1/me")).statusCode()).isEqualTo(401);
    }

    @Test
    void signingOutNeedsTheCsrfToken() throws Exception {
        send(get("/console/oauth2/authorization/acme"));
        assertThat(send(get("/api/v1/me")).statusCode()).isEqualTo(200);
        assertThat(send(post("/console/logout", "")).statusCode()).isEqualTo(403);
        assertThat(send(get("/api/v1/me")).statusCode()).as("still signed in").isEqualTo(200);
    }

    @Test
    void keysAndTheConsolesAssetsStayAsTheyWere() {
        var admin = new ApiClient(port);
        var key = admin.createKey("team-key", "batches:read");
        var keyed = admin.as(key.get("key").asString());
        assertThat(keyed.get("/api/v1/me").json().get("tenant").asString()).isEqualTo("team-key");
        var page = new ApiClient(port, null).get("/console/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.headers().allValues("Set-Cookie")).as("no session for the assets")
            .noneMatch(cookie -> cookie.startsWith("JSESSIONID"));
        assertThat(new ApiClient(port, null).get("/api/v1/me").status()).isEqualTo(401);
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(uri(path)).GET();
    }

    private HttpRequest.Builder post(String path, String json) {
        return HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String cookie(String name) {
        return cookies.getCookieStore()
            .getCookies()
            .stream()
            .filter(cookie -> cookie.getName().equals(name))
            .map(HttpCookie::getValue)
            .findFirst()
            .orElseThrow(
                    () -> new AssertionError("no cookie " + name + " in " + cookies.getCookieStore().getCookies()));
    }

}
