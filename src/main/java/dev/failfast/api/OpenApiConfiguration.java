package dev.failfast.api;

import dev.failfast.security.ScopeRules;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.List;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.ProblemDetail;

/**
 * The OpenAPI document's header; the operations come from {@link BatchController}'s
 * annotations.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    static final String API_KEY = "apiKey";

    static final String JWT = "bearerJwt";

    private static final String PROBLEM_JSON = org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;

    @Bean
    OpenAPI failfastOpenApi() {
        return new OpenAPI()
            .info(new Info().title("Failfast API")
                .version("v1")
                .description("""
                        Submit batches of jobs, follow them, and cancel them. A batch stops as a whole the \
                        moment it should: under FAIL_FAST the first failure records a cancellation cause, \
                        running jobs are interrupted and jobs not yet started never start. Errors are \
                        RFC 9457 problem details (application/problem+json) with a stable `type` URI; \
                        invalid requests list every bad field in `errors`.""")
                .license(new License().name("Apache-2.0").url("https://www.apache.org/licenses/LICENSE-2.0")))
            .components(new Components()
                .addSecuritySchemes(API_KEY, new SecurityScheme().type(SecurityScheme.Type.HTTP)
                    .scheme("bearer")
                    .description("An API key (ffk_…) created with POST /api/v1/api-keys, or the bootstrap admin key, "
                            + "sent as 'Authorization: Bearer <key>'. Each operation lists the scope it needs; admin "
                            + "includes every scope."))
                .addSecuritySchemes(JWT,
                        new SecurityScheme().type(SecurityScheme.Type.HTTP)
                            .scheme("bearer")
                            .bearerFormat("JWT")
                            .description("An OAuth2 / OIDC access token from the issuer the service is configured with "
                                    + "(spring.security.oauth2.resourceserver.jwt.*): the tenant comes from the "
                                    + "failfast.security.jwt.tenant-claim claim, the scopes from scope or scp.")));
    }

    /**
     * Each operation's security requirement, with the scope it needs, from the table the
     * filter chain enforces ({@link ScopeRules}): the document cannot drift from the
     * rules.
     */
    @Bean
    @Order(0)
    OpenApiCustomizer operationScopes() {
        return openApi -> openApi.getPaths()
            .forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
                List<String> scopes = ScopeRules.requiredFor(method.name(), path)
                    .map(scope -> List.of(scope.value()))
                    .orElse(List.of());
                operation.setSecurity(List.of(new SecurityRequirement().addList(API_KEY, scopes),
                        new SecurityRequirement().addList(JWT, scopes)));
                operation.getResponses()
                    .addApiResponse("401",
                            new ApiResponse().description("No credentials, or an unknown, expired or revoked key or "
                                    + "token (WWW-Authenticate says which)"));
                if (!scopes.isEmpty()) {
                    operation.getResponses()
                        .addApiResponse("403", new ApiResponse()
                            .description("The key or token lacks the scope " + scopes.getFirst() + " (or admin)"));
                }
            }));
    }

    /**
     * Every 4xx and 5xx response is a problem detail; say so once here instead of on each
     * annotation.
     */
    @Bean
    @Order(1)
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
