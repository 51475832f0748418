package dev.failfast.bench;

import java.util.List;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What the JMH benchmarks add to the service's context: a no-op job type and a terminal-batch waiter. The
 * context runs without a web server, so the beans that only handle HTTP requests, and need the MVC
 * infrastructure that context does not have (the {@code handlerExceptionResolver}), are left out of it.
 */
@Configuration(proxyBeanMethods = false)
class BenchBeans {

    /** Beans of the service that exist only to filter or secure HTTP requests. */
    static final List<String> WEB_ONLY = List.of("loopedRequestFilter", "loopedRequestFilterOnManagementPort",
            "apiSecurity");

    @Bean
    static BeanDefinitionRegistryPostProcessor withoutWebOnlyBeans() {
        return new BeanDefinitionRegistryPostProcessor() {
            @Override
            public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
                WEB_ONLY.stream().filter(registry::containsBeanDefinition).forEach(registry::removeBeanDefinition);
            }

            @Override
            public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
            }
        };
    }

    @Bean
    NoopJobHandler noopJobHandler() {
        return new NoopJobHandler();
    }

    @Bean
    TerminalBatches terminalBatches() {
        return new TerminalBatches();
    }
}
