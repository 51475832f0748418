package dev.failfast.security;

import dev.failfast.settings.FailfastProperties;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.InMemoryClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.HttpSessionOAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.core.oidc.OidcScopes;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.logout.HttpStatusReturningLogoutSuccessHandler;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.AndRequestMatcher;

/**
 * The console's sign-in with the company IdP (docs/console.md), when
 * {@code failfast.console.oidc-registration} names a client registration: Spring
 * Security's {@code oauth2Login} under {@code /console}, and the session it makes, which
 * the API accepts for the console's own calls.
 *
 * <p>
 * The session holds a {@link CallerAuthentication} made from the ID token's claims as a
 * bearer JWT's are ({@link JwtCallerConverter}), so the API's scope rules and
 * {@code /api/v1/me} see the same caller either way, and no token of the IdP. A request
 * is a session request when it has a session cookie and no {@code Authorization} header:
 * API keys and bearer tokens keep the stateless chain. Every state-changing session
 * request needs the CSRF token: the {@code XSRF-TOKEN} cookie sent back as the
 * {@code X-XSRF-TOKEN} header, which a page of another origin cannot read.
 */
public final class ConsoleLogin {

    private static final String AUTHORIZATION_BASE = "/console/oauth2/authorization";

    private static final String REDIRECT_BASE = "/console/login/oauth2/code/";

    private static final String CONSOLE = "/console/";

    private final ClientRegistration registration;

    private final JwtCallerConverter callers;

    private final OidcUserService users = new OidcUserService();

    /** Session attribute and all: one repository for the sign-in and the API's reads. */
    private final HttpSessionSecurityContextRepository sessions = new HttpSessionSecurityContextRepository();

    private ConsoleLogin(ClientRegistration registration, JwtCallerConverter callers) {
        this.registration = registration;
        this.callers = callers;
    }

    /**
     * The sign-in with registration {@code id}, which must exist, use the authorization
     * code grant and ask for the {@code openid} scope (the caller comes from its ID
     * token). Its redirect URI is the console's callback,
     * {@code {baseUrl}/console/login/oauth2/code/{registrationId}}, unless it names that
     * path already.
     */
    static ConsoleLogin of(String id, ClientRegistrationRepository registrations, FailfastProperties.Jwt jwt) {
        ClientRegistration found = registrations.findByRegistrationId(id);
        if (found == null) {
            throw new IllegalStateException("failfast.console.oidc-registration is '" + id
                    + "' but there is no spring.security.oauth2.client.registration." + id);
        }
        if (!AuthorizationGrantType.AUTHORIZATION_CODE.equals(found.getAuthorizationGrantType())
                || !found.getScopes().contains(OidcScopes.OPENID)) {
            throw new IllegalStateException("spring.security.oauth2.client.registration." + id
                    + " must use the authorization_code grant and request the openid scope (its provider an OIDC "
                    + "issuer): the console's caller comes from the ID token");
        }
        ClientRegistration console = String.valueOf(found.getRedirectUri()).contains(REDIRECT_BASE) ? found
                : ClientRegistration.withClientRegistration(found)
                    .redirectUri("{baseUrl}" + REDIRECT_BASE + "{registrationId}")
                    .build();
        return new ConsoleLogin(console, new JwtCallerConverter(jwt));
    }

    /** The IdP's name, as the sign-in button shows it. */
    public String name() {
        return registration.getClientName();
    }

    /** Where the browser goes to sign in: the IdP's authorization request starts here. */
    public String loginPath() {
        return AUTHORIZATION_BASE + "/" + registration.getRegistrationId();
    }

    /**
     * The console's chain with the sign-in: a session made at sign-in only (the assets
     * stay sessionless), CSRF protection on (sign-out is a POST with the token), the
     * IdP's tokens kept in the session, never in the browser.
     */
    void configure(HttpSecurity http) {
        http.csrf(csrf -> csrf.spa())
            .securityContext(context -> context.securityContextRepository(sessions))
            .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.IF_REQUIRED))
            .requestCache(cache -> cache.disable())
            .oauth2Login(
                    login -> login.clientRegistrationRepository(new InMemoryClientRegistrationRepository(registration))
                        .authorizedClientRepository(new HttpSessionOAuth2AuthorizedClientRepository())
                        .loginPage(CONSOLE)
                        .authorizationEndpoint(endpoint -> endpoint.baseUri(AUTHORIZATION_BASE))
                        .redirectionEndpoint(endpoint -> endpoint.baseUri(REDIRECT_BASE + "*"))
                        .userInfoEndpoint(userInfo -> userInfo.oidcUserService(this::checkedUser))
                        .successHandler(this::signedIn)
                        .failureUrl(CONSOLE + "?sign-in=refused"))
            .logout(logout -> logout.logoutUrl("/console/logout")
                .logoutSuccessHandler(new HttpStatusReturningLogoutSuccessHandler(HttpStatus.NO_CONTENT)));
    }

    /**
     * The API for the console's session requests, before the stateless chain: the same
     * scope rules and problem answers, the caller read from the session (never made
     * here), and CSRF protection on every state-changing request.
     */
    SecurityFilterChain sessionApi(HttpSecurity http, ProblemResponses problems) {
        return http
            .securityMatcher(new AndRequestMatcher(PathPatternRequestMatcher.withDefaults().matcher("/api/**"),
                    ConsoleLogin::isSessionRequest))
            .csrf(csrf -> csrf.spa())
            .securityContext(context -> context.securityContextRepository(sessions))
            .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.NEVER))
            .requestCache(cache -> cache.disable())
            .exceptionHandling(
                    exceptions -> exceptions.authenticationEntryPoint(problems).accessDeniedHandler(problems))
            .authorizeHttpRequests(requests -> {
                requests.dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll();
                ScopeRules.apply(requests);
                requests.anyRequest().authenticated();
            })
            .build();
    }

    private static boolean isSessionRequest(HttpServletRequest request) {
        return request.getHeader(HttpHeaders.AUTHORIZATION) == null && request.getRequestedSessionId() != null;
    }

    /** Refuses a sign-in whose ID token names no valid tenant or principal. */
    private OidcUser checkedUser(OidcUserRequest request) {
        OidcUser user = users.loadUser(request);
        callers.caller(user.getIdToken());
        return user;
    }

    /**
     * Keeps the caller in the session instead of the IdP's user, and opens the console.
     */
    private void signedIn(HttpServletRequest request, HttpServletResponse response, Authentication authentication)
            throws IOException {
        OidcUser user = (OidcUser) Objects.requireNonNull(authentication.getPrincipal());
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(callers.caller(user.getIdToken()));
        SecurityContextHolder.setContext(context);
        sessions.saveContext(context, request, response);
        response.sendRedirect(request.getContextPath() + CONSOLE);
    }

}
