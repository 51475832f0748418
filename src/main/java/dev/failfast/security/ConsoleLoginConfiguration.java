package dev.failfast.security;

import dev.failfast.settings.FailfastProperties;
import java.util.Objects;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.servlet.HandlerExceptionResolver;

/**
 * The console's sign-in with the company IdP, only when
 * {@code failfast.console.oidc-registration} is set ({@link ConsoleLogin}).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "failfast.console", name = "oidc-registration")
class ConsoleLoginConfiguration {

    @Bean
    ConsoleLogin consoleLogin(FailfastProperties properties, ClientRegistrationRepository registrations) {
        String id = Objects.requireNonNull(properties.console().oidcRegistrationIfSet(),
                "failfast.console.oidc-registration is empty");
        return ConsoleLogin.of(id, registrations, properties.security().jwt());
    }

    @Bean
    @Order(1)
    SecurityFilterChain consoleSessionApiSecurity(HttpSecurity http, ConsoleLogin login,
            @Qualifier("handlerExceptionResolver") HandlerExceptionResolver resolver) {
        return login.sessionApi(http, new ProblemResponses(resolver));
    }

}
