package dev.failfast.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.failfast.ApiClient;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OpenID provider as a resource server sees one: its discovery document and its JWK
 * set, served over real HTTP on loopback, and the RSA key that signs its tokens.
 */
final class TestIssuer implements AutoCloseable {

    private static final String KEY_ID = "test-issuer-key";

    private final HttpServer server;

    private final RSAKey signingKey;

    private final String uri;

    private TestIssuer(HttpServer server, RSAKey signingKey) {
        this.server = server;
        this.signingKey = signingKey;
        this.uri = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** An issuer serving on a free port of 127.0.0.1, until it is closed. */
    static TestIssuer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            var issuer = new TestIssuer(server, newKey());
            server.createContext("/.well-known/openid-configuration",
                    exchange -> respond(exchange, ApiClient.json(issuer.discoveryDocument())));
            server.createContext("/jwks",
                    exchange -> respond(exchange, new JWKSet(issuer.signingKey.toPublicJWK()).toString()));
            server.start();
            return issuer;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A new RSA key with the id the issuer's key has: the issuer signs with one, a forger
     * with another.
     */
    static RSAKey newKey() {
        try {
            return new RSAKeyGenerator(2048).keyID(KEY_ID).generate();
        }
        catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The issuer's identifier: its base URL, which is also its {@code iss} claim. */
    String uri() {
        return uri;
    }

    /**
     * A token of this issuer for {@code subject}, valid for five minutes, with
     * {@code claims} added to (or replacing) {@code iss}, {@code sub}, {@code iat} and
     * {@code exp}.
     */
    String token(String subject, Map<String, ?> claims) {
        return tokenSignedBy(signingKey, subject, claims);
    }

    /** As {@link #token}, but signed with {@code key}. */
    String tokenSignedBy(RSAKey key, String subject, Map<String, ?> claims) {
        Instant now = Instant.now();
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("iss", uri);
        all.put("sub", subject);
        all.put("iat", now.getEpochSecond());
        all.put("exp", now.plus(Duration.ofMinutes(5)).getEpochSecond());
        all.putAll(claims);
        var header = new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build();
        var jws = new JWSObject(header, new Payload(all));
        try {
            jws.sign(new RSASSASigner(key));
        }
        catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jws.serialize();
    }

    private Map<String, Object> discoveryDocument() {
        return Map.of("issuer", uri, "jwks_uri", uri + "/jwks", "authorization_endpoint", uri + "/authorize",
                "response_types_supported", List.of("code"), "subject_types_supported", List.of("public"),
                "id_token_signing_alg_values_supported", List.of("RS256"));
    }

    private static void respond(HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }

}
