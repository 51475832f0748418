package dev.failfast.api;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The OpenAPI document's header; the operations come from {@link BatchController}'s annotations. */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    @Bean
    OpenAPI failfastOpenApi() {
        return new OpenAPI().info(new Info()
                .title("Failfast API")
                .version("v1")
                .description("""
                        Submit batches of jobs, follow them, and cancel them. A batch stops as a whole the \
                        moment it should: under FAIL_FAST the first failure records a cancellation cause, \
                        running jobs are interrupted and jobs not yet started never start. Errors are \
                        RFC 9457 problem details (application/problem+json).""")
                .license(new License().name("Apache-2.0").url("https://www.apache.org/licenses/LICENSE-2.0")));
    }
}
