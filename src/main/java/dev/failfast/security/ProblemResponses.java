package dev.failfast.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpHeaders;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authorization.AuthorizationDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * Answers a refused request as RFC 6750 asks, with a {@code WWW-Authenticate: Bearer}
 * challenge ({@code invalid_token} for credentials the service does not accept,
 * {@code insufficient_scope} naming the scope for a missing one), and a problem+json body
 * rendered by the same exception handler as every other problem of the API.
 *
 * <p>
 * The challenge is written here rather than by Spring Security's bearer token handlers:
 * those name the scope only for OAuth2 tokens, not for API keys, and advertise a
 * protected resource metadata document this service does not serve.
 */
final class ProblemResponses implements AuthenticationEntryPoint, AccessDeniedHandler {

    private static final String REALM = "Bearer realm=\"failfast\"";

    private final HandlerExceptionResolver resolver;

    ProblemResponses(HandlerExceptionResolver resolver) {
        this.resolver = resolver;
    }

    /** No credentials, or bad ones: 401. */
    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e) {
        String challenge = REALM;
        if (e instanceof OAuth2AuthenticationException oauth) {
            challenge = challenge(oauth.getError().getErrorCode(), oauth.getError().getDescription(), null);
        }
        response.setHeader(HttpHeaders.WWW_AUTHENTICATE, challenge);
        resolver.resolveException(request, response, null, e);
    }

    /** Valid credentials without the scope the operation needs: 403. */
    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e) {
        AccessDeniedException named = e;
        if (e instanceof AuthorizationDeniedException denied
                && denied.getAuthorizationResult() instanceof ScopeRules.ScopeDecision decision) {
            MissingScopeException missing = new MissingScopeException(decision.required());
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE,
                    challenge("insufficient_scope", missing.getMessage(), missing.required().value()));
            named = missing;
        }
        resolver.resolveException(request, response, null, named);
    }

    private static String challenge(String error, @Nullable String description, @Nullable String scope) {
        StringBuilder challenge = new StringBuilder(REALM).append(", error=\"").append(error).append('"');
        if (description != null) {
            challenge.append(", error_description=\"").append(quotable(description)).append('"');
        }
        if (scope != null) {
            challenge.append(", scope=\"").append(scope).append('"');
        }
        return challenge.toString();
    }

    /**
     * RFC 6750 allows printable ASCII but for {@code "} and {@code \} in these values.
     */
    private static String quotable(String text) {
        return text.replaceAll("[^\\x20-\\x7E]|[\"\\\\]", "'");
    }

}
