package dev.failfast.security;

import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * Authenticates a bearer token that is an API key. When bearer tokens (JWTs) are also
 * accepted, a token shaped like a JWT (three dot-separated parts; no API key has a dot)
 * is left to the JWT provider.
 */
final class ApiKeyAuthenticationProvider implements AuthenticationProvider {

    private final ApiKeys keys;

    private final boolean jwtsAccepted;

    ApiKeyAuthenticationProvider(ApiKeys keys, boolean jwtsAccepted) {
        this.keys = keys;
        this.jwtsAccepted = jwtsAccepted;
    }

    @Override
    public @Nullable Authentication authenticate(Authentication authentication) {
        String token = ((BearerTokenAuthenticationToken) authentication).getToken();
        if (jwtsAccepted && looksLikeJwt(token)) {
            return null;
        }
        return keys.authenticate(token)
            .map(key -> CallerAuthentication.of(key.tenant(), key.principal(), key.scopes()))
            .orElseThrow(() -> new InvalidBearerTokenException("The API key is unknown, expired or revoked"));
    }

    private static boolean looksLikeJwt(String token) {
        return token.chars().filter(c -> c == '.').count() == 2;
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return BearerTokenAuthenticationToken.class.isAssignableFrom(authentication);
    }

}
