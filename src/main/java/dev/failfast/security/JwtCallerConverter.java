package dev.failfast.security;

import dev.failfast.batch.Owner;
import dev.failfast.settings.FailfastProperties;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.oauth2.core.ClaimAccessor;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;

/**
 * Turns a JWT that Spring Security validated (signature, issuer, expiry) into the caller
 * it names: the tenant from {@code failfast.security.jwt.tenant-claim}, the scopes from
 * the {@code scope} or {@code scp} claim (or {@code failfast.security.jwt.scopes-claim}),
 * the principal from {@code failfast.security.jwt.principal-claim}. Scopes Failfast does
 * not know are ignored: a company token carries many. A token without a valid tenant is
 * refused.
 */
final class JwtCallerConverter implements Converter<Jwt, AbstractAuthenticationToken> {

    private static final Pattern TENANT = Pattern.compile(Owner.TENANT_PATTERN);

    /**
     * A principal the service records and logs: printable ASCII without spaces, short
     * enough for its columns. A subject is an opaque id, so this refuses no real one.
     */
    private static final Pattern PRINCIPAL = Pattern.compile("[\\x21-\\x7E]{1,190}");

    private final FailfastProperties.Jwt settings;

    JwtCallerConverter(FailfastProperties.Jwt settings) {
        this.settings = settings;
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        return caller(jwt);
    }

    /**
     * The caller that {@code claims} name: those of a bearer JWT, or of the ID token of a
     * console sign-in ({@link ConsoleLogin}), mapped alike.
     */
    CallerAuthentication caller(ClaimAccessor jwt) {
        String tenant = jwt.getClaimAsString(settings.tenantClaim());
        if (tenant == null || !TENANT.matcher(tenant).matches()) {
            throw new InvalidBearerTokenException(
                    "The token has no valid '" + settings.tenantClaim() + "' claim naming the caller's tenant");
        }
        String subject = jwt.getClaimAsString(settings.principalClaim());
        if (subject == null || !PRINCIPAL.matcher(subject).matches()) {
            throw new InvalidBearerTokenException("The token has no valid '" + settings.principalClaim()
                    + "' claim (1 to 190 printable characters, no spaces) naming the caller");
        }
        return CallerAuthentication.of(tenant, "jwt:" + subject, scopes(jwt));
    }

    private Set<Scope> scopes(ClaimAccessor jwt) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        List<String> claims = settings.scopesClaim().isEmpty() ? List.of("scope", "scp")
                : List.of(settings.scopesClaim());
        for (String claim : claims) {
            values(jwt.getClaim(claim)).forEach(value -> Scope.of(value).ifPresent(scopes::add));
        }
        return scopes;
    }

    /** A claim's scopes: a list, or one string of space-separated scopes. */
    private static List<String> values(@Nullable Object claim) {
        if (claim instanceof String text) {
            return List.of(text.trim().split("\\s+"));
        }
        if (claim instanceof Collection<?> values) {
            return values.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

}
