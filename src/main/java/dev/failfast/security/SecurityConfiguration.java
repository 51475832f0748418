package dev.failfast.security;

import dev.failfast.batch.Caller;
import dev.failfast.settings.FailfastProperties;
import jakarta.servlet.DispatcherType;
import java.time.Clock;
import java.util.Arrays;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.web.util.matcher.AndRequestMatcher;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * Who may call what (docs/security.md). With {@code failfast.security.enabled} (the
 * default) every request but the health probes needs an API key or a bearer token, sent
 * as {@code Authorization: Bearer}, whose scopes allow the operation
 * ({@link ScopeRules}). Turned off, every caller is an administrator of the default
 * tenant, and the service says so loudly at startup.
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
public class SecurityConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    /** The console's Content-Security-Policy: its own origin only, nothing inline. */
    static final String CONSOLE_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
            + "form-action 'self'; frame-ancestors 'none'";

    @Bean
    @DependsOnDatabaseInitialization
    ApiKeys apiKeys(FailfastProperties properties, ObjectProvider<DataSource> dataSource, Clock clock) {
        ApiKeyStore store = switch (properties.store().type()) {
            case MEMORY -> new InMemoryApiKeyStore();
            case JDBC -> new JdbcApiKeyStore(dataSource.getObject());
        };
        return new ApiKeys(store, clock);
    }

    @Bean
    BootstrapKey bootstrapKey(ApiKeys keys, FailfastProperties properties) {
        return new BootstrapKey(keys, properties.security());
    }

    @Bean
    ManagementPort managementPort() {
        return new ManagementPort();
    }

    /**
     * The console's assets (docs/console.md): public, since they hold no data. The policy
     * allows the page's own scripts, styles and API calls only: no inline script or
     * style, no framing. Without a {@link ConsoleLogin}, every data call the console
     * makes goes through the API with the user's key in a header: no cookie session is
     * made, so there is nothing for CSRF to ride on. With one, the console also signs in
     * with the company IdP, which makes a session, and CSRF protection is on.
     */
    @Bean
    @Order(0)
    SecurityFilterChain consoleSecurity(HttpSecurity http, ObjectProvider<ConsoleLogin> consoleLogin) {
        http.securityMatcher("/console", "/console/**")
            .headers(headers -> headers.contentSecurityPolicy(csp -> csp.policyDirectives(CONSOLE_POLICY))
                .referrerPolicy(referrer -> referrer.policy(ReferrerPolicy.NO_REFERRER))
                .frameOptions(frame -> frame.deny()))
            .authorizeHttpRequests(requests -> requests.anyRequest().permitAll());
        ConsoleLogin login = consoleLogin.getIfAvailable();
        if (login == null) {
            http.csrf(csrf -> csrf.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable());
        }
        else {
            login.configure(http);
        }
        return http.build();
    }

    /**
     * The API for API keys and bearer tokens: stateless, no CSRF (a header credential is
     * not sent by a browser on its own). After {@link ConsoleLogin}'s session chain, when
     * there is one.
     */
    @Bean
    @Order(2)
    SecurityFilterChain apiSecurity(HttpSecurity http, FailfastProperties properties, ApiKeys keys,
            ObjectProvider<JwtDecoder> jwtDecoder, ManagementPort managementPort, Environment environment,
            @Qualifier("handlerExceptionResolver") HandlerExceptionResolver resolver) {
        http.csrf(csrf -> csrf.disable())
            .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
            .requestCache(cache -> cache.disable());
        FailfastProperties.Security settings = properties.security();
        if (!settings.enabled()) {
            warnAuthenticationIsOff(settings.defaultTenant());
            var sandbox = new Caller(settings.defaultTenant(), "anonymous", true);
            String[] everyScope = Arrays.stream(Scope.values()).map(Scope::authority).toArray(String[]::new);
            return http
                .anonymous(anonymous -> anonymous.principal(sandbox)
                    .authorities(AuthorityUtils.createAuthorityList(everyScope)))
                .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                .build();
        }
        var problems = new ProblemResponses(resolver);
        JwtDecoder jwt = jwtDecoder.getIfAvailable();
        if (jwt != null && !environment.containsProperty("spring.security.oauth2.resourceserver.jwt.audiences")) {
            log.warn("Bearer tokens are accepted but spring.security.oauth2.resourceserver.jwt.audiences is not set: "
                    + "a token your identity provider issued for another application, with a tenant claim and a "
                    + "scope such as admin, is accepted here too. Set the audiences Failfast's tokens carry");
        }
        var authentication = new BearerAuthentication(new ApiKeyAuthenticationProvider(keys),
                jwt == null ? null : jwtProvider(jwt, settings.jwt()));
        return http
            .oauth2ResourceServer(
                    resourceServer -> resourceServer.authenticationManagerResolver(request -> authentication)
                        .authenticationEntryPoint(problems)
                        .accessDeniedHandler(problems))
            .exceptionHandling(
                    exceptions -> exceptions.authenticationEntryPoint(problems).accessDeniedHandler(problems))
            .authorizeHttpRequests(requests -> {
                // Streams resume on an async dispatch, errors render on an error
                // dispatch:
                // both belong to a request already authorized.
                requests.dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll();
                requests.requestMatchers(EndpointRequest.to(HealthEndpoint.class)).permitAll();
                // On a management port kept inside the deployment: the exposed read-only
                // endpoints, no more, should more ever be exposed.
                requests
                    .requestMatchers(new AndRequestMatcher(managementPort,
                            EndpointRequest.to("health", "info", "prometheus", "metrics")))
                    .permitAll();
                if (settings.publicApiDocs()) {
                    requests.requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**")
                        .permitAll();
                }
                requests.requestMatchers(EndpointRequest.toAnyEndpoint())
                    .access(ScopeRules.requires(Scope.METRICS_READ));
                ScopeRules.apply(requests);
                requests.anyRequest().authenticated();
            })
            .build();
    }

    private static JwtAuthenticationProvider jwtProvider(JwtDecoder jwt, FailfastProperties.Jwt settings) {
        var provider = new JwtAuthenticationProvider(jwt);
        provider.setJwtAuthenticationConverter(new JwtCallerConverter(settings));
        return provider;
    }

    private static void warnAuthenticationIsOff(String tenant) {
        log.warn("""

                ************************************************************************************
                * AUTHENTICATION IS OFF (failfast.security.enabled=false): anyone who can reach     *
                * this port can submit, read, cancel and delete every batch, as an administrator    *
                * of tenant '{}'. Any web page the browser opens can do so too (no CSRF  *
                * check without authentication). Use this for a local sandbox only.                 *
                ************************************************************************************""", tenant);
    }

}
