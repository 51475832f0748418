package dev.failfast.api;

import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Tomcat settings the API relies on. */
@Configuration(proxyBeanMethods = false)
class TomcatConfiguration {

    /**
     * Answers {@code Expect: 100-continue} only when the body is actually read. A client
     * that announces a body over {@code failfast.limits.max-request-size} (curl does for
     * anything over 1 MB) then gets its 413 before it sends a byte of the body.
     */
    @Bean
    TomcatConnectorCustomizer continueOnRead() {
        return connector -> connector.setProperty("continueResponseTiming", "onRead");
    }

}
