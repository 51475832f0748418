package dev.failfast.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a client saw, held against the committed {@code docs/openapi.json}: each exchange
 * is matched to the operation it called, and its status and content type must be ones
 * that operation declares, so the document says what the server really sends. A response
 * interceptor of the generated client feeds it.
 */
final class DocumentedExchanges implements Consumer<HttpResponse<InputStream>> {

    static final Path DOCUMENT = Path.of("docs/openapi.json");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch",
            "trace");

    /** One response as the client received it. */
    record Exchange(String method, String path, int status, Optional<String> contentType) {

        @Override
        public String toString() {
            return method + " " + path + " -> " + status + " " + contentType.orElse("(no content type)");
        }
    }

    /** An operation of the document, found by method and path template. */
    record Operation(String id, String method, String template, JsonNode responses) {

        boolean matches(String requestMethod, String path) {
            if (!method.equalsIgnoreCase(requestMethod)) {
                return false;
            }
            String[] expected = template.split("/", -1);
            String[] actual = path.split("/", -1);
            if (expected.length != actual.length) {
                return false;
            }
            for (int i = 0; i < expected.length; i++) {
                if (!expected[i].startsWith("{") && !expected[i].equals(actual[i])) {
                    return false;
                }
            }
            return true;
        }

        /** Literal segments first: {@code /a/b} before {@code /a/{id}}. */
        long literalSegments() {
            return List.of(template.split("/", -1)).stream().filter(segment -> !segment.startsWith("{")).count();
        }
    }

    private final List<Operation> operations = operations();

    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();

    @Override
    public void accept(HttpResponse<InputStream> response) {
        exchanges.add(new Exchange(response.request().method(), response.request().uri().getRawPath(),
                response.statusCode(), response.headers().firstValue("Content-Type")));
    }

    /** The ids of the operations called so far. */
    Set<String> calledOperations() {
        Set<String> called = new TreeSet<>();
        exchanges.forEach(exchange -> operationOf(exchange).ifPresent(operation -> called.add(operation.id())));
        return called;
    }

    /**
     * Fails unless every exchange so far called a documented operation and got a status
     * it declares, with a body of a type declared for that status (none where none is).
     */
    void assertAllDocumented() {
        assertThat(exchanges).as("the client called the service").isNotEmpty();
        for (Exchange exchange : exchanges) {
            Operation operation = operationOf(exchange)
                .orElseThrow(() -> new AssertionError("no operation of " + DOCUMENT + " for " + exchange));
            JsonNode response = operation.responses().get(Integer.toString(exchange.status()));
            assertThat(response).as(exchange + ": status not declared by " + operation.id()).isNotNull();
            JsonNode content = response.get("content");
            if (content == null) {
                assertThat(exchange.contentType()).as(exchange + ": " + operation.id() + " declares no body").isEmpty();
                continue;
            }
            assertThat(exchange.contentType()).as(exchange + ": no content type").isPresent();
            String contentType = exchange.contentType().get();
            String mediaType = (contentType.contains(";") ? contentType.substring(0, contentType.indexOf(';'))
                    : contentType)
                .strip()
                .toLowerCase(Locale.ROOT);
            assertThat(content.propertyNames()).as(exchange + ": content type not declared by " + operation.id())
                .contains(mediaType);
        }
    }

    private Optional<Operation> operationOf(Exchange exchange) {
        return operations.stream()
            .filter(operation -> operation.matches(exchange.method(), exchange.path()))
            .max(Comparator.comparingLong(Operation::literalSegments));
    }

    /** Every operation of the committed document. */
    static List<Operation> operations() {
        JsonNode document;
        try {
            document = JSON.readTree(Files.readString(DOCUMENT));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Operation> operations = new ArrayList<>();
        document.get("paths")
            .properties()
            .forEach(path -> path.getValue()
                .properties()
                .stream()
                .filter(operation -> METHODS.contains(operation.getKey()))
                .forEach(operation -> operations.add(new Operation(operation.getValue().get("operationId").asString(),
                        operation.getKey(), path.getKey(), operation.getValue().get("responses")))));
        return operations;
    }

}
