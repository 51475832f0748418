package dev.failfast.security;

import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * Sends each bearer token to the one validator it is for, never to both: a token shaped
 * like a JWT (three dot-separated parts; no API key has a dot) to the JWT provider when
 * tokens are accepted, anything else to the API keys. So a mistyped key is answered as an
 * unknown key, and does not make the service fetch the issuer's keys.
 *
 * <p>
 * When the credential cannot be checked at all (the database or the token issuer is
 * unreachable), the answer is {@link CredentialsUncheckableException}: a 503, not a 401
 * and not a 500.
 */
final class BearerAuthentication implements AuthenticationManager {

    private final AuthenticationProvider apiKeys;

    private final @Nullable AuthenticationProvider jwts;

    BearerAuthentication(AuthenticationProvider apiKeys, @Nullable AuthenticationProvider jwts) {
        this.apiKeys = apiKeys;
        this.jwts = jwts;
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String token = ((BearerTokenAuthenticationToken) authentication).getToken();
        AuthenticationProvider jwtProvider = jwts;
        boolean isJwt = jwtProvider != null && looksLikeJwt(token);
        AuthenticationProvider provider = jwtProvider != null && isJwt ? jwtProvider : apiKeys;
        Authentication result;
        try {
            result = provider.authenticate(authentication);
        }
        catch (AuthenticationException e) {
            throw e;
        }
        catch (DataAccessException e) {
            throw new CredentialsUncheckableException(
                    "The credentials could not be checked now: the database is unavailable", e);
        }
        catch (RuntimeException e) {
            if (!isJwt) {
                throw e; // a bug of the key check, not an outage: let it be a 500, logged
            }
            // Such as Spring's JwtDecoderInitializationException, when the issuer's
            // discovery document or key set cannot be fetched.
            throw new CredentialsUncheckableException("The token could not be checked now: its issuer is unreachable",
                    e);
        }
        if (result == null) {
            throw new IllegalStateException(provider + " answered nothing for a bearer token");
        }
        return result;
    }

    static boolean looksLikeJwt(String token) {
        return token.chars().filter(c -> c == '.').count() == 2;
    }

}
