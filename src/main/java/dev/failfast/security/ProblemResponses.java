package dev.failfast.security;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authorization.AuthorizationDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.access.BearerTokenAccessDeniedHandler;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * Answers a refused request as RFC 6750 asks (status and {@code WWW-Authenticate}, from
 * Spring Security's bearer token handlers) with a problem+json body, rendered by the same
 * exception handler as every other problem of the API.
 */
final class ProblemResponses implements AuthenticationEntryPoint, AccessDeniedHandler {

    private final BearerTokenAuthenticationEntryPoint bearerEntryPoint = new BearerTokenAuthenticationEntryPoint();

    private final BearerTokenAccessDeniedHandler bearerAccessDenied = new BearerTokenAccessDeniedHandler();

    private final HandlerExceptionResolver resolver;

    ProblemResponses(HandlerExceptionResolver resolver) {
        this.resolver = resolver;
    }

    /** No credentials, or bad ones: 401. */
    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, AuthenticationException e) {
        bearerEntryPoint.commence(request, response, e);
        resolver.resolveException(request, response, null, e);
    }

    /** Valid credentials without the scope the operation needs: 403. */
    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, AccessDeniedException e) {
        AccessDeniedException named = e;
        if (e instanceof AuthorizationDeniedException denied
                && denied.getAuthorizationResult() instanceof ScopeRules.ScopeDecision decision) {
            named = new MissingScopeException(decision.required());
        }
        bearerAccessDenied.handle(request, response, named);
        if (named instanceof MissingScopeException missing) {
            // Spring's handler names the error only for its own token authentications;
            // every caller here is a CallerAuthentication, which got a bare "Bearer".
            response.setHeader(HttpHeaders.WWW_AUTHENTICATE,
                    "Bearer error=\"insufficient_scope\", error_description=\"" + missing.getMessage()
                            + "\", error_uri=\"https://tools.ietf.org/html/rfc6750#section-3.1\", scope=\""
                            + missing.required().value() + "\"");
        }
        resolver.resolveException(request, response, null, named);
    }

}
