package dev.failfast.bench;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** What the JMH benchmarks add to the service's context: a no-op job type and a terminal-batch waiter. */
@Configuration(proxyBeanMethods = false)
class BenchBeans {

    @Bean
    NoopJobHandler noopJobHandler() {
        return new NoopJobHandler();
    }

    @Bean
    TerminalBatches terminalBatches() {
        return new TerminalBatches();
    }
}
