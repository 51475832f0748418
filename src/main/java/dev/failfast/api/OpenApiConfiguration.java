package dev.failfast.api;

import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.ProblemDetail;

/**
 * The OpenAPI document's header; the operations come from {@link BatchController}'s
 * annotations.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    private static final String PROBLEM_JSON = org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;

    @Bean
    OpenAPI failfastOpenApi() {
        return new OpenAPI().info(new Info().title("Failfast API")
            .version("v1")
            .description("""
                    Submit batches of jobs, follow them, and cancel them. A batch stops as a whole the \
                    moment it should: under FAIL_FAST the first failure records a cancellation cause, \
                    running jobs are interrupted and jobs not yet started never start. Errors are \
                    RFC 9457 problem details (application/problem+json) with a stable `type` URI; \
                    invalid requests list every bad field in `errors`.""")
            .license(new License().name("Apache-2.0").url("https://www.apache.org/licenses/LICENSE-2.0")));
    }

    /**
     * Every 4xx and 5xx response is a problem detail; say so once here instead of on each
     * annotation.
     */
    @Bean
    OpenApiCustomizer problemResponses() {
        return openApi -> {
            ModelConverters.getInstance().read(ProblemDetail.class).forEach(openApi.getComponents()::addSchemas);
            Schema<?> problem = new Schema<>().$ref("#/components/schemas/ProblemDetail");
            openApi.getPaths()
                .values()
                .forEach(path -> path.readOperations()
                    .forEach(operation -> operation.getResponses().forEach((status, response) -> {
                        if (status.startsWith("4") || status.startsWith("5")) {
                            describeAsProblem(response, problem);
                        }
                    })));
        };
    }

    private static void describeAsProblem(ApiResponse response, Schema<?> problem) {
        Content content = response.getContent() == null ? new Content() : response.getContent();
        MediaType existing = content.get(PROBLEM_JSON);
        MediaType mediaType = existing == null ? new MediaType() : existing;
        mediaType.setSchema(problem);
        Content problemOnly = new Content();
        problemOnly.addMediaType(PROBLEM_JSON, mediaType);
        response.setContent(problemOnly);
    }

}
