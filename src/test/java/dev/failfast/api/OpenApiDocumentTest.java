package dev.failfast.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastServerTest;
import dev.failfast.batch.ErrorAction;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.RequestMapping;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAPI document the service serves describes every endpoint of
 * {@link BatchController} with the responses it gives, problem details for every error,
 * and examples that fit their schemas; and the copy committed under
 * {@code docs/openapi.json} is current. Run with {@code
 * -Dopenapi.update=true} to rewrite that copy after an intended API change.
 */
@FailfastServerTest
class OpenApiDocumentTest {

    private static final Path COMMITTED = Path.of("docs/openapi.json");

    private static final String PROBLEM_JSON = MediaType.APPLICATION_PROBLEM_JSON_VALUE;

    static final String COMMITTED_SERVERS = """
            [{"url": "http://localhost:8080",
              "description": "The service started locally with its defaults; a deployment serves this document, with its own address, at /v3/api-docs"}]""";

    private static final JsonMapper JSON = JsonMapper.builder()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
        .build();

    @LocalServerPort
    int port;

    @Test
    void committedDocumentIsCurrent() throws IOException {
        ApiClient.Response response = new ApiClient(port).get("/v3/api-docs");
        assertThat(response.status()).isEqualTo(200);
        ObjectNode served = (ObjectNode) JSON.readTree(response.body());
        // The served document names the random test port; the committed copy names where
        // a
        // service started with its defaults listens (a deployment serves its own
        // address).
        served.set("servers", JSON.readTree(COMMITTED_SERVERS));
        String current = JSON.writeValueAsString(JSON.treeToValue(served, Object.class)) + "\n";

        if (Boolean.getBoolean("openapi.update")) {
            Files.createDirectories(COMMITTED.getParent());
            Files.writeString(COMMITTED, current, StandardCharsets.UTF_8);
        }

        String update = "./mvnw verify -Dtest=OpenApiDocumentTest -Dopenapi.update=true";
        assertThat(COMMITTED).as("docs/openapi.json is missing; run " + update).exists();
        JsonNode committed = JSON.readTree(Files.readString(COMMITTED));
        assertThat(committed.equals(JSON.readTree(current)))
            .as("docs/openapi.json is stale; run " + update + " and commit it")
            .isTrue();
    }

    /**
     * Every handler method of {@link BatchController}, {@link ApiKeyController},
     * {@link NotificationController} and {@link SubscriptionController} is in the
     * document, and nothing else is.
     */
    @Test
    void everyEndpointOfTheControllersIsDocumentedOnce() {
        JsonNode paths = served().get("paths");
        List<String> endpoints = new ArrayList<>();
        for (Class<?> controller : List.of(BatchController.class, ApiKeyController.class, NotificationController.class,
                SubscriptionController.class, CallerController.class, WorkerController.class)) {
            RequestMapping root = controller.getAnnotation(RequestMapping.class);
            String base = root == null || root.path().length == 0 ? "" : root.path()[0];
            for (Method method : controller.getDeclaredMethods()) {
                RequestMapping mapping = AnnotatedElementUtils.findMergedAnnotation(method, RequestMapping.class);
                if (mapping != null) {
                    String path = mapping.path().length == 0 ? "" : mapping.path()[0];
                    endpoints.add(mapping.method()[0] + " " + base + path);
                }
            }
        }
        List<String> documented = new ArrayList<>();
        paths.properties()
            .forEach(path -> path.getValue()
                .properties()
                .forEach(op -> documented.add(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey())));

        assertThat(documented).containsExactlyInAnyOrderElementsOf(endpoints).hasSize(31);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|',
            textBlock = """
                    post   | /api/v1/batches                    | batches:write  | 202, 200, 400, 401, 403, 413, 415, 422, 429, 503
                    get    | /api/v1/batches                    | batches:read   | 200, 400, 401, 403
                    get    | /api/v1/batches/{id}               | batches:read   | 200, 401, 403, 404
                    delete | /api/v1/batches/{id}               | batches:delete | 204, 401, 403, 404, 409
                    post   | /api/v1/batches/{id}/cancel        | batches:cancel | 202, 401, 403, 404, 409, 503
                    post   | /api/v1/batches/{id}/redrive       | batches:write  | 202, 200, 400, 401, 403, 404, 409, 413, 415, 422, 429, 503
                    get    | /api/v1/batches/{id}/events        | batches:read   | 200, 400, 401, 403, 404, 429
                    get    | /api/v1/batches/{id}/jobs          | batches:read   | 200, 401, 403, 404
                    get    | /api/v1/batches/{id}/jobs/{jobId}  | batches:read   | 200, 401, 403, 404
                    post   | /api/v1/api-keys                   | admin          | 201, 400, 401, 403
                    get    | /api/v1/api-keys                   | admin          | 200, 401, 403
                    get    | /api/v1/api-keys/{id}              | admin          | 200, 401, 403, 404
                    delete | /api/v1/api-keys/{id}              | admin          | 204, 401, 403, 404
                    get    | /api/v1/batches/{id}/notifications | batches:read   | 200, 401, 403, 404
                    post   | /api/v1/batches/{id}/notifications/{notificationId}/resend | batches:write | 202, 401, 403, 404, 409
                    post   | /api/v1/subscriptions              | subscriptions:manage | 201, 400, 401, 403, 409
                    get    | /api/v1/subscriptions              | subscriptions:manage | 200, 401, 403
                    get    | /api/v1/subscriptions/{id}         | subscriptions:manage | 200, 401, 403, 404
                    delete | /api/v1/subscriptions/{id}         | subscriptions:manage | 204, 401, 403, 404
                    post   | /api/v1/subscriptions/{id}/rotate-secret | subscriptions:manage | 200, 400, 401, 403, 404
                    post   | /api/v1/workers                    | workers:run | 201, 400, 401, 403, 429
                    get    | /api/v1/workers                    | workers:run | 200, 401, 403
                    get    | /api/v1/workers/{id}               | workers:run | 200, 401, 403, 404
                    delete | /api/v1/workers/{id}               | workers:run | 204, 401, 403, 404
                    get    | /api/v1/workers/{id}/events        | workers:run | 200, 401, 403, 404, 429
                    post   | /api/v1/workers/{id}/claim         | workers:run | 200, 400, 401, 403, 404
                    post   | /api/v1/workers/{id}/drain         | workers:run | 204, 401, 403, 404
                    post   | /api/v1/workers/{id}/heartbeat     | workers:run | 200, 400, 401, 403, 404
                    post   | /api/v1/workers/{id}/attempts/{attemptId}/complete | workers:run | 204, 400, 401, 403, 404, 409
                    post   | /api/v1/workers/{id}/attempts/{attemptId}/fail | workers:run | 204, 400, 401, 403, 404, 409
                    """)
    void everyOperationHasASummaryItsScopeAndItsResponsesWithProblemDetailsForErrors(String method, String path,
            String scope, String statuses) {
        JsonNode operation = served().get("paths").get(path).get(method);

        assertThat(operation.get("summary").asString()).as("summary").isNotBlank();
        assertThat(operation.get("tags").valueStream().map(JsonNode::asString)).containsExactly(tag(path));
        assertThat(operation.get("security").valueStream().map(JsonNode::toString))
            .as("either an API key or a JWT, with the operation's scope")
            .containsExactly("{\"apiKey\":[\"" + scope + "\"]}", "{\"bearerJwt\":[\"" + scope + "\"]}");
        assertThat(operation.get("responses").propertyNames())
            .containsExactlyInAnyOrderElementsOf(List.of(statuses.split(",\\s*")));
        operation.get("responses").properties().forEach(response -> {
            String status = response.getKey();
            JsonNode content = response.getValue().get("content");
            assertThat(response.getValue().get("description").asString()).as(status).isNotBlank();
            if (status.startsWith("4") || status.startsWith("5")) {
                assertThat(content.propertyNames()).as(status).containsExactly(PROBLEM_JSON);
                assertThat(content.get(PROBLEM_JSON).get("schema").get("$ref").asString()).as(status)
                    .isEqualTo("#/components/schemas/ProblemDetail");
            }
        });
    }

    @Test
    void whoTheCallerIsNeedsNoScope() {
        JsonNode operation = served().get("paths").get("/api/v1/me").get("get");

        assertThat(operation.get("operationId").asString()).isEqualTo("getCaller");
        assertThat(operation.get("tags").valueStream().map(JsonNode::asString)).containsExactly("Caller");
        assertThat(operation.get("security").valueStream().map(JsonNode::toString)).as("any credential, no scope")
            .containsExactly("{\"apiKey\":[]}", "{\"bearerJwt\":[]}");
        assertThat(operation.get("responses").propertyNames()).containsExactlyInAnyOrder("200", "401");
        assertThat(operation.at("/responses/200/content/application~1json/schema/$ref").asString())
            .isEqualTo("#/components/schemas/CallerResponse");
    }

    @Test
    void declaresApiKeysAndJwtsAsBearerSchemesSoSwaggerUiCanAuthorize() {
        JsonNode schemes = served().get("components").get("securitySchemes");

        assertThat(schemes.propertyNames()).containsExactlyInAnyOrder("apiKey", "bearerJwt");
        assertThat(schemes.get("apiKey").get("type").asString()).isEqualTo("http");
        assertThat(schemes.get("apiKey").get("scheme").asString()).isEqualTo("bearer");
        assertThat(schemes.get("bearerJwt").get("scheme").asString()).isEqualTo("bearer");
        assertThat(schemes.get("bearerJwt").get("bearerFormat").asString()).isEqualTo("JWT");
    }

    @Test
    void theProblemDetailSchemaHasTheRfc9457Members() {
        JsonNode problem = served().get("components").get("schemas").get("ProblemDetail").get("properties");

        assertThat(problem.propertyNames()).contains("type", "title", "status", "detail", "instance");
        assertThat(problem.get("type").get("format").asString()).isEqualTo("uri");
        assertThat(problem.get("instance").get("format").asString()).as("the request's path")
            .isEqualTo("uri-reference");
        assertThat(problem.get("status").get("type").asString()).isEqualTo("integer");
        assertThat(problem.get("errors").get("items").get("$ref").asString())
            .isEqualTo("#/components/schemas/FieldProblem");
        assertThat(problem.has("properties")).as("Spring's map, never sent as such").isFalse();
    }

    @Test
    void successfulResponsesNameTheirSchemas() {
        JsonNode paths = served().get("paths");

        assertThat(schemaOf(paths, "/api/v1/batches", "post", "202")).isEqualTo("BatchResponse");
        assertThat(schemaOf(paths, "/api/v1/batches", "post", "200")).isEqualTo("BatchResponse");
        assertThat(schemaOf(paths, "/api/v1/batches", "get", "200")).isEqualTo("PageResponseBatchResponse");
        assertThat(schemaOf(paths, "/api/v1/batches/{id}", "get", "200")).isEqualTo("BatchResponse");
        assertThat(schemaOf(paths, "/api/v1/batches/{id}/cancel", "post", "202")).isEqualTo("BatchResponse");
        assertThat(schemaOf(paths, "/api/v1/batches/{id}/jobs", "get", "200")).isEqualTo("PageResponseJobResponse");
        assertThat(schemaOf(paths, "/api/v1/batches/{id}/jobs/{jobId}", "get", "200")).isEqualTo("JobResponse");
        assertThat(paths.get("/api/v1/batches/{id}/notifications")
            .get("get")
            .get("responses")
            .get("200")
            .get("content")
            .get("application/json")
            .get("schema")
            .get("items")
            .get("$ref")
            .asString()).isEqualTo("#/components/schemas/NotificationResponse");
        assertThat(schemaOf(paths, "/api/v1/batches/{id}/notifications/{notificationId}/resend", "post", "202"))
            .isEqualTo("NotificationResponse");
        assertThat(schemaOf(paths, "/api/v1/subscriptions", "post", "201")).isEqualTo("SubscriptionResponse");
        assertThat(schemaOf(paths, "/api/v1/subscriptions/{id}/rotate-secret", "post", "200"))
            .isEqualTo("SubscriptionResponse");
        assertThat(paths.get("/api/v1/batches/{id}").get("delete").get("responses").get("204").has("content"))
            .as("204 has no body")
            .isFalse();
        JsonNode events = paths.get("/api/v1/batches/{id}/events")
            .get("get")
            .get("responses")
            .get("200")
            .get("content");
        assertThat(events.propertyNames()).containsExactly("text/event-stream");
        assertThat(events.get("text/event-stream").get("example").asString()).isEqualTo(ApiExamples.EVENTS);
    }

    @Test
    void theSubmitRequestBodyIsRequiredJsonWithAnExampleThatFitsItsSchema() {
        JsonNode document = served();
        JsonNode body = document.get("paths").get("/api/v1/batches").get("post").get("requestBody");
        JsonNode json = body.get("content").get("application/json");
        JsonNode schemas = document.get("components").get("schemas");

        assertThat(body.get("required").asBoolean()).isTrue();
        assertThat(body.get("content").propertyNames()).containsExactly("application/json");
        assertThat(json.get("schema").get("$ref").asString()).isEqualTo("#/components/schemas/BatchRequest");
        JsonNode example = json.get("examples").get("fail-fast").get("value");
        assertThat(example).isEqualTo(JSON.readTree(ApiExamples.SUBMIT));
        // Every field of the example is one the schema declares, down to the jobs and
        // their retries.
        assertThat(example.propertyNames()).isSubsetOf(schemas.get("BatchRequest").get("properties").propertyNames());
        example.get("jobs").forEach(job -> {
            assertThat(job.propertyNames()).isSubsetOf(schemas.get("JobRequest").get("properties").propertyNames());
            if (job.has("retry")) {
                assertThat(job.get("retry").propertyNames())
                    .isSubsetOf(schemas.get("RetryRequest").get("properties").propertyNames());
            }
        });
        assertThat(schemas.get("BatchRequest").get("required").valueStream().map(JsonNode::asString))
            .containsExactly("jobs");
        assertThat(document.get("paths")
            .get("/api/v1/batches")
            .get("post")
            .get("responses")
            .get("400")
            .get("content")
            .get(PROBLEM_JSON)
            .get("example")).isEqualTo(JSON.readTree(ApiExamples.INVALID));
        assertThat(document.get("paths")
            .get("/api/v1/batches/{id}")
            .get("get")
            .get("responses")
            .get("200")
            .get("content")
            .get("application/json")
            .get("example")).isEqualTo(JSON.readTree(ApiExamples.FAILED_BATCH));
    }

    /**
     * Request bodies are read strictly (unknown fields are refused) and the schemas say
     * so; the free-form members stay open.
     */
    @Test
    void requestSchemasAreClosedButParamsAndLabelsStayOpen() {
        JsonNode schemas = served().get("components").get("schemas");

        for (String request : List.of("BatchRequest", "JobRequest", "RetryRequest", "CancelRequest", "ApiKeyRequest",
                "NotificationRequest", "RotateSecretRequest")) {
            assertThat(schemas.get(request).get("additionalProperties").asBoolean(true)).as(request).isFalse();
        }
        assertThat(schemas.get("JobRequest").get("properties").get("params").get("additionalProperties").isObject())
            .isTrue();
        assertThat(schemas.get("BatchRequest").get("properties").get("labels").get("additionalProperties").isObject())
            .isTrue();
        assertThat(schemas.get("BatchResponse").has("additionalProperties")).as("responses stay as they were")
            .isFalse();
    }

    /**
     * The service writes null members; the schemas say which may be null, so a generated
     * client and the examples agree with what is sent.
     */
    @Test
    void membersThatMayBeNullAreNullable() {
        JsonNode schemas = served().get("components").get("schemas");
        JsonNode batch = schemas.get("BatchResponse").get("properties");

        assertThat(batch.get("deadline").get("type").valueStream().map(JsonNode::asString)).containsExactly("string",
                "null");
        assertThat(batch.get("state").get("type").asString()).as("never null").isEqualTo("string");
        assertThat(batch.get("cancellation").get("oneOf").valueStream().map(JsonNode::toString))
            .containsExactly("{\"$ref\":\"#/components/schemas/Cancellation\"}", "{\"type\":\"null\"}");
        assertThat(schemas.get("ApiKeyRequest").get("properties").get("name").get("type").asString())
            .as("required, so null is refused")
            .isEqualTo("string");
        assertThat(schemas.get("RetryRequest").get("properties").get("multiplier").get("default").isNumber()).isTrue();
    }

    @Test
    void theFailurePoliciesHaveExamplesThatFitTheirSchemas() {
        JsonNode document = served();
        JsonNode examples = document.get("paths")
            .get("/api/v1/batches")
            .get("post")
            .get("requestBody")
            .get("content")
            .get("application/json")
            .get("examples");
        JsonNode schemas = document.get("components").get("schemas");

        JsonNode rules = examples.get("tolerance-and-rules").get("value");
        JsonNode race = examples.get("first-mirror-wins").get("value");
        assertThat(rules).isEqualTo(JSON.readTree(ApiExamples.SUBMIT_RULES));
        assertThat(race).isEqualTo(JSON.readTree(ApiExamples.SUBMIT_RACE));
        for (JsonNode example : List.of(rules, race)) {
            assertThat(example.propertyNames())
                .isSubsetOf(schemas.get("BatchRequest").get("properties").propertyNames());
        }
        assertThat(rules.get("onError")).isNotEmpty().allSatisfy(rule -> {
            assertThat(rule.propertyNames()).isSubsetOf(schemas.get("OnErrorRule").get("properties").propertyNames());
            assertThat(Arrays.stream(ErrorAction.values()).map(Enum::name)).contains(rule.get("action").asString());
        });
        assertThat(race.get("succeedWhen").propertyNames())
            .isSubsetOf(schemas.get("SucceedWhen").get("properties").propertyNames());
        // A status is written 404 or "4xx": the schema says either.
        assertThat(schemas.get("OnErrorRule").get("properties").get("httpStatus").get("oneOf"))
            .extracting(type -> type.get("type").asString())
            .containsExactlyInAnyOrder("integer", "string");
        assertThat(schemas.get("OnErrorRule").get("required").valueStream().map(JsonNode::asString))
            .containsExactly("action");
        assertThat(schemas.get("BatchResponse").get("properties").propertyNames()).contains("maxFailureRatio",
                "minJobsForRatio", "onError", "succeedWhen");
        assertThat(schemas.get("JobCounts").get("properties").propertyNames()).contains("ignored");
        assertThat(schemas.get("Cancellation").get("properties").propertyNames()).contains("rule");
        assertThat(schemas.get("Cancellation")
            .get("properties")
            .get("cause")
            .get("enum")
            .valueStream()
            .map(JsonNode::asString))
            .contains("FAILURE_RATIO_EXCEEDED", "SUCCESS_POLICY_MET", "SUCCESS_POLICY_UNREACHABLE");
        assertThat(schemas.get("JobResponse").get("properties").propertyNames()).contains("ignored");
        assertThat(schemas.get("JobError").get("properties").propertyNames()).contains("httpStatus");
    }

    @Test
    void theCancelBodyIsOptionalAndItsReasonHasAnExample() {
        JsonNode document = served();
        JsonNode body = document.get("paths").get("/api/v1/batches/{id}/cancel").get("post").get("requestBody");
        JsonNode reason = document.get("components")
            .get("schemas")
            .get("CancelRequest")
            .get("properties")
            .get("reason");

        assertThat(body.path("required").asBoolean(false)).isFalse();
        assertThat(body.get("content").get("application/json").get("schema").get("$ref").asString())
            .isEqualTo("#/components/schemas/CancelRequest");
        assertThat(reason.get("example").asString()).isNotBlank();
        assertThat(reason.get("maxLength").asInt()).isEqualTo(1000);
    }

    @Test
    void parametersCarryTheirConstraints() {
        JsonNode paths = served().get("paths");
        JsonNode list = parameters(paths.get("/api/v1/batches").get("get"));
        JsonNode submit = parameters(paths.get("/api/v1/batches").get("post"));

        assertThat(list.get("state").get("schema").get("enum").valueStream().map(JsonNode::asString))
            .containsExactly("QUEUED", "RUNNING", "CANCELLING", "SUCCEEDED", "FAILED", "CANCELLED");
        assertThat(list.get("page").get("schema").get("minimum").asInt()).isZero();
        assertThat(list.get("size").get("schema").get("minimum").asInt()).isEqualTo(1);
        assertThat(list.get("label").get("schema").get("type").asString()).isEqualTo("array");
        assertThat(submit.get("Idempotency-Key").get("in").asString()).isEqualTo("header");
        assertThat(submit.get("Idempotency-Key").get("schema").get("maxLength").asInt()).isEqualTo(255);
        assertThat(parameters(paths.get("/api/v1/batches/{id}").get("get")).get("id")
            .get("schema")
            .get("format")
            .asString()).isEqualTo("uuid");
    }

    /** The tag of the operations under {@code path}: its controller's. */
    private static String tag(String path) {
        if (path.contains("/notifications")) {
            return "Notifications";
        }
        if (path.startsWith("/api/v1/subscriptions")) {
            return "Subscriptions";
        }
        if (path.startsWith("/api/v1/workers")) {
            return "Workers";
        }
        return path.startsWith("/api/v1/batches") ? "Batches" : "API keys";
    }

    private JsonNode served() {
        ApiClient.Response response = new ApiClient(port).get("/v3/api-docs");
        assertThat(response.status()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static String schemaOf(JsonNode paths, String path, String method, String status) {
        JsonNode content = paths.get(path).get(method).get("responses").get(status).get("content");
        return content.get("application/json")
            .get("schema")
            .get("$ref")
            .asString()
            .substring("#/components/schemas/".length());
    }

    /** An operation's parameters by name. */
    private static JsonNode parameters(JsonNode operation) {
        ObjectNode byName = JSON.createObjectNode();
        operation.get("parameters").forEach(parameter -> byName.set(parameter.get("name").asString(), parameter));
        return byName;
    }

}
