package dev.failfast.security;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The scope each API operation needs, in one table: the filter chain enforces it, and a
 * refusal names the scope that was missing. {@link Scope#ADMIN} passes every rule.
 */
public final class ScopeRules {

    private record Rule(@Nullable HttpMethod method, String pattern, Scope scope) {
    }

    private static final List<Rule> RULES = List.of(new Rule(HttpMethod.POST, "/api/v1/batches", Scope.BATCHES_WRITE),
            new Rule(HttpMethod.POST, "/api/v1/batches/*/cancel", Scope.BATCHES_CANCEL),
            new Rule(HttpMethod.DELETE, "/api/v1/batches/*", Scope.BATCHES_DELETE),
            new Rule(HttpMethod.GET, "/api/v1/batches", Scope.BATCHES_READ),
            new Rule(HttpMethod.GET, "/api/v1/batches/**", Scope.BATCHES_READ),
            new Rule(null, "/api/v1/api-keys", Scope.ADMIN), new Rule(null, "/api/v1/api-keys/**", Scope.ADMIN));

    private ScopeRules() {
    }

    /** Adds a rule per API operation to the filter chain's authorization. */
    static void apply(AuthorizeHttpRequestsConfigurer<?>.AuthorizationManagerRequestMatcherRegistry requests) {
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        for (Rule rule : RULES) {
            requests.requestMatchers(paths.matcher(rule.method(), rule.pattern())).access(requires(rule.scope()));
        }
    }

    /**
     * The scope an operation needs, for the API's documentation: {@code path} as the
     * OpenAPI document writes it ({@code /api/v1/batches/{id}}).
     */
    public static Optional<Scope> requiredFor(String method, String path) {
        PathContainer container = PathContainer.parsePath(path);
        return RULES.stream()
            .filter(rule -> rule.method() == null || rule.method().name().equalsIgnoreCase(method))
            .filter(rule -> PathPatternParser.defaultInstance.parse(rule.pattern()).matches(container))
            .map(Rule::scope)
            .findFirst();
    }

    /** Grants a request whose caller has {@code scope} or admin. */
    static AuthorizationManager<RequestAuthorizationContext> requires(Scope scope) {
        return new AuthorizationManager<>() {
            @Override
            public AuthorizationResult authorize(Supplier<? extends @Nullable Authentication> authentication,
                    RequestAuthorizationContext context) {
                return new ScopeDecision(has(authentication.get(), scope), scope);
            }
        };
    }

    static boolean has(@Nullable Authentication authentication, Scope scope) {
        if (authentication == null || !(authentication instanceof CallerAuthentication)) {
            return false;
        }
        for (GrantedAuthority authority : authentication.getAuthorities()) {
            String name = authority.getAuthority();
            if (scope.authority().equals(name) || Scope.ADMIN.authority().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** A decision that remembers the scope it asked for, so a refusal can name it. */
    static final class ScopeDecision extends AuthorizationDecision {

        private static final long serialVersionUID = 1L;

        private final Scope required;

        ScopeDecision(boolean granted, Scope required) {
            super(granted);
            this.required = required;
        }

        Scope required() {
            return required;
        }

    }

}
