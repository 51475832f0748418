package dev.failfast.security;

import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpMethod;
import org.springframework.http.server.PathContainer;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.web.util.pattern.PathPattern;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * The scope each API operation needs, in one table: the filter chain enforces it, the
 * OpenAPI document is written from it, and a refusal names the scope that was missing.
 * {@link Scope#ADMIN} passes every rule.
 *
 * <p>
 * The first matching rule applies. Reads match any method other than the writes above
 * them, so a {@code HEAD} (which Spring MVC answers with the {@code GET} handler), or a
 * method no handler takes, needs the read scope too: no request under {@code /api/}
 * passes with no scope.
 */
public final class ScopeRules {

    /** A scope of null: any authenticated caller, whatever its scopes. */
    private record Rule(@Nullable HttpMethod method, String pattern, @Nullable Scope scope, PathPattern parsed) {

        Rule(@Nullable HttpMethod method, String pattern, @Nullable Scope scope) {
            this(method, pattern, scope, PathPatternParser.defaultInstance.parse(pattern));
        }

        boolean matches(String requestMethod, PathContainer path) {
            return (method == null || method.name().equalsIgnoreCase(requestMethod)) && parsed.matches(path);
        }

    }

    private static final List<Rule> RULES = List.of(
            // Who the caller is, so a client (the console) can tell what it may call.
            new Rule(HttpMethod.GET, "/api/v1/me", null),
            new Rule(HttpMethod.POST, "/api/v1/batches", Scope.BATCHES_WRITE),
            new Rule(HttpMethod.POST, "/api/v1/batches/*/cancel", Scope.BATCHES_CANCEL),
            // A redrive runs jobs, as a submission does.
            new Rule(HttpMethod.POST, "/api/v1/batches/*/redrive", Scope.BATCHES_WRITE),
            new Rule(HttpMethod.POST, "/api/v1/batches/*/notifications/*/resend", Scope.BATCHES_WRITE),
            new Rule(null, "/api/v1/subscriptions", Scope.SUBSCRIPTIONS_MANAGE),
            new Rule(null, "/api/v1/subscriptions/**", Scope.SUBSCRIPTIONS_MANAGE),
            new Rule(null, "/api/v1/workers", Scope.WORKERS_RUN),
            new Rule(null, "/api/v1/workers/**", Scope.WORKERS_RUN),
            new Rule(HttpMethod.DELETE, "/api/v1/batches/*", Scope.BATCHES_DELETE),
            new Rule(null, "/api/v1/batches", Scope.BATCHES_READ),
            new Rule(null, "/api/v1/batches/**", Scope.BATCHES_READ), new Rule(null, "/api/**", Scope.ADMIN));

    private ScopeRules() {
    }

    /** Adds a rule per API operation to the filter chain's authorization. */
    static void apply(AuthorizeHttpRequestsConfigurer<?>.AuthorizationManagerRequestMatcherRegistry requests) {
        PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
        for (Rule rule : RULES) {
            var matched = requests.requestMatchers(paths.matcher(rule.method(), rule.pattern()));
            Scope scope = rule.scope();
            if (scope == null) {
                matched.authenticated();
            }
            else {
                matched.access(requires(scope));
            }
        }
    }

    /**
     * The scope an operation needs, for the API's documentation: {@code path} as the
     * OpenAPI document writes it ({@code /api/v1/batches/{id}}); none for an operation
     * any caller may call.
     */
    public static Optional<Scope> requiredFor(String method, String path) {
        PathContainer container = PathContainer.parsePath(path);
        return RULES.stream()
            .filter(rule -> rule.matches(method, container))
            .findFirst()
            .flatMap(rule -> Optional.ofNullable(rule.scope()));
    }

    /** Grants a request whose caller has {@code scope} or admin. */
    static AuthorizationManager<RequestAuthorizationContext> requires(Scope scope) {
        return (authentication, context) -> new ScopeDecision(has(authentication.get(), scope), scope);
    }

    static boolean has(@Nullable Authentication authentication, Scope scope) {
        if (!(authentication instanceof CallerAuthentication)) {
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
