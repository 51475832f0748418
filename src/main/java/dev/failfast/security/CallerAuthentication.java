package dev.failfast.security;

import dev.failfast.batch.Caller;
import java.util.Collection;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * A request authenticated by an API key or a bearer token: its principal is the
 * {@link Caller} the engine sees, its authorities are its scopes
 * ({@code SCOPE_batches:read}, …).
 */
final class CallerAuthentication extends AbstractAuthenticationToken {

    private static final long serialVersionUID = 1L;

    private final Caller caller;

    CallerAuthentication(Caller caller, Set<Scope> scopes) {
        super(authorities(scopes));
        this.caller = caller;
        setAuthenticated(true);
    }

    /** A caller of {@code tenant} with {@code scopes}, admin if they include ADMIN. */
    static CallerAuthentication of(String tenant, String principal, Set<Scope> scopes) {
        return new CallerAuthentication(new Caller(tenant, principal, scopes.contains(Scope.ADMIN)), scopes);
    }

    private static Collection<GrantedAuthority> authorities(Set<Scope> scopes) {
        return scopes.stream().<GrantedAuthority>map(scope -> new SimpleGrantedAuthority(scope.authority())).toList();
    }

    @Override
    public Caller getPrincipal() {
        return caller;
    }

    /** Never kept: the key or token was checked and is not needed again. */
    @Override
    public @Nullable Object getCredentials() {
        return null;
    }

    @Override
    public String getName() {
        return caller.principal();
    }

}
