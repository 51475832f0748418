package dev.failfast.api;

import dev.failfast.security.ScopeRules;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Contact;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.info.License;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;

/**
 * The OpenAPI document's header; the operations come from {@link BatchController}'s
 * annotations.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    static final String API_KEY = "apiKey";

    static final String JWT = "bearerJwt";

    private static final String PROBLEM_JSON = org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE;

    private static final String SCHEMAS = "#/components/schemas/";

    static final String PROBLEM_DETAIL = "ProblemDetail";

    static final String FIELD_PROBLEM = "FieldProblem";

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
                .contact(new Contact().name("Failfast Engineers").url("https://failfast.dev").email("dev@failfast.dev"))
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
            openApi.getComponents().addSchemas(PROBLEM_DETAIL, problemDetailSchema());
            openApi.getComponents().addSchemas(FIELD_PROBLEM, fieldProblemSchema());
            Schema<?> problem = new Schema<>().$ref(SCHEMAS + PROBLEM_DETAIL);
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

    /**
     * Numeric defaults as numbers: the schema generator keeps a {@code double}'s
     * {@code defaultValue} as the annotation's string, which no schema validator accepts.
     */
    @Bean
    @Order(2)
    OpenApiCustomizer numericDefaults() {
        return openApi -> {
            for (Schema<?> schema : openApi.getComponents().getSchemas().values()) {
                var properties = schema.getProperties();
                if (properties != null) {
                    properties.values().forEach(OpenApiConfiguration::numericDefault);
                }
            }
        };
    }

    private static void numericDefault(Schema<?> property) {
        Set<String> types = property.getTypes() != null ? property.getTypes()
                : property.getType() != null ? Set.of(property.getType()) : Set.of();
        if (property.getDefault() instanceof String text && (types.contains("number") || types.contains("integer"))) {
            property.setDefault(new BigDecimal(text));
        }
    }

    /**
     * The members Failfast's problems carry (RFC 9457 and the extensions of
     * {@link ProblemHandler}); Spring's {@code ProblemDetail} class would show its Java
     * shape instead, a {@code properties} map that is never sent.
     */
    @SuppressWarnings("rawtypes") // Schema#setProperties takes raw schemas
    private static Schema<Object> problemDetailSchema() {
        Map<String, Schema> members = new LinkedHashMap<>();
        members.put("type",
                schema("string", "uri", "A stable URI for the kind of problem, under " + ProblemHandler.TYPE_BASE));
        members.put("title", schema("string", null, "A short summary of the kind of problem"));
        members.put("status", schema("integer", "int32", "The HTTP status"));
        members.put("detail", schema("string", null, "What went wrong with this request"));
        members.put("instance",
                schema("string", "uri-reference", "The path of the request (a URI reference, as RFC 9457 allows)"));
        Schema<Object> errors = schema("array", null, "Invalid requests (400): every bad field");
        errors.setItems(new Schema<>().$ref(SCHEMAS + FIELD_PROBLEM));
        members.put("errors", errors);
        members.put("state", schema("string", null, "Conflicts with a batch's state (409): that state"));
        members.put("limit", schema("string", null, "Refusals by a limit (429): the limit's name"));
        members.put("tenant", schema("string", null,
                "Refusals by a tenant's limit (429): the tenant; absent for the service's own limits"));
        members.put("batchId", schema("string", "uuid", "A reused Idempotency-Key (422): the batch it created"));
        members.put("requiredScope", schema("string", null, "A missing scope (403): the scope the operation needs"));
        Schema<Object> problem = schema("object", null,
                "An RFC 9457 problem detail (application/problem+json). The members after instance appear only "
                        + "with the problems they name; clients should ignore members they do not know.");
        problem.setProperties(members);
        problem.setRequired(List.of("type", "title", "status"));
        return problem;
    }

    @SuppressWarnings("rawtypes") // Schema#setProperties takes raw schemas
    private static Schema<Object> fieldProblemSchema() {
        Map<String, Schema> members = new LinkedHashMap<>();
        members.put("field", schema("string", null,
                "Its path in the request, e.g. jobs[0].retry.maxAttempts, or a parameter's name"));
        members.put("message", schema("string", null, "What is wrong with it"));
        Schema<Object> field = schema("object", null, "One bad field of a request");
        field.setProperties(members);
        field.setRequired(List.of("field", "message"));
        return field;
    }

    private static Schema<Object> schema(String type, @Nullable String format, String description) {
        Schema<Object> schema = new Schema<>();
        schema.setTypes(new LinkedHashSet<>(List.of(type))); // OpenAPI 3.1: a set of
                                                             // types
        schema.setFormat(format);
        schema.setDescription(description);
        return schema;
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
