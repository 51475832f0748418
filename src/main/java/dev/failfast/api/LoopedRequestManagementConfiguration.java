package dev.failfast.api;

import org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration;
import org.springframework.boot.actuate.autoconfigure.web.ManagementContextType;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.Ordered;

/**
 * Puts the {@link LoopedRequestFilter} on the separate management port too
 * ({@code management.server.port}). That port's server has a child context of its own,
 * which registers only its own filters, not the main context's; without this a job that
 * reaches the management port (the pod's own address, which an operator may have opened)
 * would get past the loop marker there. Listed in
 * {@code META-INF/spring/org.springframework.boot.actuate.autoconfigure.web.ManagementContextConfiguration.imports}.
 */
@ManagementContextConfiguration(value = ManagementContextType.CHILD, proxyBeanMethods = false)
class LoopedRequestManagementConfiguration {

    @Bean
    FilterRegistrationBean<LoopedRequestFilter> loopedRequestFilterOnManagementPort(LoopedRequestFilter filter) {
        FilterRegistrationBean<LoopedRequestFilter> registration = new FilterRegistrationBean<>(filter);
        registration.setOrder(Ordered.HIGHEST_PRECEDENCE);
        return registration;
    }

}
