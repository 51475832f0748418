package dev.failfast.security;

import dev.failfast.batch.Caller;
import dev.failfast.settings.FailfastProperties;
import jakarta.servlet.DispatcherType;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.web.SecurityFilterChain;
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

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, FailfastProperties properties, ApiKeys keys,
            ObjectProvider<JwtDecoder> jwtDecoder, ManagementPort managementPort,
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
        ProviderManager authentication = authentication(keys, jwtDecoder.getIfAvailable(), settings.jwt());
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
                requests.requestMatchers(managementPort).permitAll();
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

    /** API keys, then (when an issuer or JWK set is configured) JWTs. */
    private static ProviderManager authentication(ApiKeys keys, @org.jspecify.annotations.Nullable JwtDecoder jwt,
            FailfastProperties.Jwt jwtSettings) {
        List<AuthenticationProvider> providers = new ArrayList<>();
        providers.add(new ApiKeyAuthenticationProvider(keys, jwt != null));
        if (jwt != null) {
            var jwtProvider = new JwtAuthenticationProvider(jwt);
            jwtProvider.setJwtAuthenticationConverter(new JwtCallerConverter(jwtSettings));
            providers.add(jwtProvider);
        }
        var manager = new ProviderManager(providers);
        manager.setEraseCredentialsAfterAuthentication(true);
        return manager;
    }

    private static void warnAuthenticationIsOff(String tenant) {
        log.warn("""

                ************************************************************************************
                * AUTHENTICATION IS OFF (failfast.security.enabled=false): anyone who can reach     *
                * this port can submit, read, cancel and delete every batch, as an administrator    *
                * of tenant '{}'. Use this for a local sandbox only.                                *
                ************************************************************************************""", tenant);
    }

}
