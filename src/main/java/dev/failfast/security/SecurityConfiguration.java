package dev.failfast.security;

import dev.failfast.batch.Caller;
import dev.failfast.settings.FailfastProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.web.SecurityFilterChain;

/** Who may call what. */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
public class SecurityConfiguration {

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, FailfastProperties properties) throws Exception {
        var sandbox = new Caller(properties.security().defaultTenant(), "anonymous", true);
        http.csrf(csrf -> csrf.disable())
            .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
            .anonymous(anonymous -> anonymous.principal(sandbox)
                .authorities(AuthorityUtils.createAuthorityList("SCOPE_admin")))
            .authorizeHttpRequests(requests -> requests.anyRequest().permitAll());
        return http.build();
    }

}
