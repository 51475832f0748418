package dev.failfast.console;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.failfast.ApiClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * A real OIDC provider on loopback for the console's sign-in: discovery, a key set with
 * an RSA key made here, an authorization endpoint that signs everyone in at once
 * (redirecting back with a code), and a token endpoint that answers the code with an ID
 * token signed by Nimbus, carrying the claims the test gives.
 */
final class TestIdentityProvider implements AutoCloseable {

    static final String CLIENT_ID = "failfast-console";

    private final HttpServer server;

    private final RSAKey key;

    private final Map<String, Object> claims;

    /** The nonce of each code handed out: the ID token must repeat it. */
    private final Map<String, String> nonces = new ConcurrentHashMap<>();

    TestIdentityProvider(Map<String, Object> claims) {
        this.claims = claims;
        try {
            key = new RSAKeyGenerator(2048).keyID("test-key").generate();
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] { 127, 0, 0, 1 }), 0),
                    0);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/.well-known/openid-configuration", exchange -> json(exchange, discovery()));
        server.createContext("/jwks", exchange -> json(exchange, new JWKSet(key.toPublicJWK()).toString()));
        server.createContext("/authorize", this::authorize);
        server.createContext("/token", this::token);
        server.start();
    }

    /**
     * The settings that make the service sign the console in here: client registration
     * {@code acme}, named Acme SSO, and {@code failfast.console.oidc-registration}.
     */
    void register(DynamicPropertyRegistry registry) {
        String registration = "spring.security.oauth2.client.registration.acme.";
        registry.add(registration + "client-id", () -> CLIENT_ID);
        registry.add(registration + "client-secret", () -> "console-secret");
        registry.add(registration + "client-name", () -> "Acme SSO");
        registry.add(registration + "scope", () -> "openid");
        registry.add("spring.security.oauth2.client.provider.acme.issuer-uri", this::issuer);
        registry.add("failfast.console.oidc-registration", () -> "acme");
    }

    String issuer() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private String discovery() {
        return ApiClient.json(Map.of("issuer", issuer(), "authorization_endpoint", issuer() + "/authorize",
                "token_endpoint", issuer() + "/token", "jwks_uri", issuer() + "/jwks", "response_types_supported",
                List.of("code"), "subject_types_supported", List.of("public"), "id_token_signing_alg_values_supported",
                List.of("RS256")));
    }

    private void authorize(HttpExchange exchange) throws IOException {
        Map<String, String> query = form(exchange.getRequestURI().getRawQuery());
        String code = "code-" + nonces.size();
        nonces.put(code, query.getOrDefault("nonce", ""));
        String back = query.get("redirect_uri") + "?code=" + code + "&state="
                + URLEncoder.encode(query.get("state"), StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Location", back);
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private void token(HttpExchange exchange) throws IOException {
        Map<String, String> body = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String nonce = nonces.remove(body.get("code"));
        if (nonce == null) {
            exchange.sendResponseHeaders(400, -1);
            exchange.close();
            return;
        }
        json(exchange, ApiClient.json(Map.of("access_token", "access-" + body.get("code"), "token_type", "Bearer",
                "expires_in", 300, "scope", "openid", "id_token", idToken(nonce))));
    }

    private String idToken(String nonce) {
        Instant now = Instant.now();
        var builder = new JWTClaimsSet.Builder().issuer(issuer())
            .audience(CLIENT_ID)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(300)))
            .claim("nonce", nonce);
        claims.forEach(builder::claim);
        var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                builder.build());
        try {
            jwt.sign(new RSASSASigner(key));
        }
        catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private static Map<String, String> form(String encoded) {
        return Arrays.stream(encoded.split("&"))
            .map(pair -> pair.split("=", 2))
            .collect(Collectors.toMap(pair -> URLDecoder.decode(pair[0], StandardCharsets.UTF_8),
                    pair -> pair.length > 1 ? URLDecoder.decode(pair[1], StandardCharsets.UTF_8) : ""));
    }

    private static void json(HttpExchange exchange, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (var out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

}
