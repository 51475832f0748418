package dev.failfast.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The committed {@code docs/openapi.json}, the document clients are generated from,
 * passes Spectral's OpenAPI rules: the project's ruleset ({@code .spectral.yaml}) finds
 * nothing at all, and Spectral's own {@code spectral:oas} no error. Spectral runs as a
 * real process, installed at the pinned versions by {@code scripts/spectral.sh}; without
 * node and npm, or without the registry, the tests skip, except under {@code CI=true},
 * where {@code .ci/run} installs them and a missing Spectral fails.
 */
class OpenApiLintTest {

    private static final Path DOCUMENT = Path.of("docs/openapi.json");

    private static final Path RULESET = Path.of(".spectral.yaml");

    private static final String SECURITY_SCOPES_RULE = "oas3-operation-security-defined";

    /** What {@code scripts/spectral.sh} exits with when it cannot install Spectral. */
    private static final int UNAVAILABLE = 69;

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path temp;

    @Test
    void theProjectsRulesetFindsNothingInTheCommittedDocument() throws Exception {
        List<JsonNode> results = lint(RULESET, DOCUMENT);

        assertThat(results).as(describe(results)).isEmpty();
    }

    /**
     * Spectral's own ruleset, as a new user runs it: no error; its only warnings are the
     * one rule {@code .spectral.yaml} turns off, and why.
     */
    @Test
    void spectralsOwnOasRulesetFindsNoErrorInTheCommittedDocument() throws Exception {
        Path oas = Files.writeString(temp.resolve("oas.yaml"), "extends: [\"spectral:oas\"]\n");

        List<JsonNode> results = lint(oas, DOCUMENT);

        assertThat(results.stream().filter(result -> result.get("severity").asInt() == 0).toList())
            .as(describe(results))
            .isEmpty();
        assertThat(results).as(describe(results))
            .allSatisfy(result -> assertThat(result.get("code").asString()).isEqualTo(SECURITY_SCOPES_RULE));
    }

    /**
     * The lint can fail: the mistakes issue 17 found, put back into a copy of the
     * document, are each reported where they are.
     */
    @Test
    void theRulesetReportsExamplesThatDoNotFitTheirSchemasAndUndeclaredSchemes() throws Exception {
        ObjectNode document = (ObjectNode) JSON.readTree(Files.readString(DOCUMENT));
        ObjectNode paths = (ObjectNode) document.get("paths");
        ((ObjectNode) paths.get("/api/v1/batches/{id}")
            .get("get")
            .get("responses")
            .get("200")
            .get("content")
            .get("application/json")
            .get("example")).put("maxFailures", "none");
        ((ObjectNode) document.get("components").get("schemas").get("RetryRequest").get("properties").get("multiplier"))
            .put("default", "2.0");
        ((ObjectNode) paths.get("/api/v1/batches").get("get").get("security").get(0)).set("apiKeys",
                JSON.createArrayNode());
        Path broken = Files.writeString(temp.resolve("broken.json"), JSON.writeValueAsString(document));

        List<JsonNode> results = lint(RULESET, broken);

        assertThat(results.stream().map(OpenApiLintTest::codeAndPath)).as(describe(results))
            .containsExactlyInAnyOrder(
                    "oas3-valid-media-example paths./api/v1/batches/{id}.get.responses.200.content.application/json"
                            + ".example.maxFailures",
                    "oas3-valid-schema-example components.schemas.RetryRequest.properties.multiplier.default",
                    "failfast-security-schemes-defined paths./api/v1/batches.get.security.0.apiKeys");
    }

    /** Spectral's findings on {@code document} with {@code ruleset}, as JSON objects. */
    private List<JsonNode> lint(Path ruleset, Path document) throws IOException, InterruptedException {
        Path results = temp.resolve("results-" + System.nanoTime() + ".json");
        Path output = temp.resolve("output-" + System.nanoTime() + ".txt");
        Process process = new ProcessBuilder("bash", "scripts/spectral.sh", "lint", "--ruleset", ruleset.toString(),
                "--format", "json", "--output", results.toString(), "--fail-severity", "hint", document.toString())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile())
            .start();
        // The first run installs Spectral (npm ci); later ones only lint.
        boolean exited = process.waitFor(10, TimeUnit.MINUTES);
        if (!exited) {
            process.destroyForcibly();
        }
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(exited).as("spectral did not finish within 10 minutes: " + printed).isTrue();
        if (process.exitValue() == UNAVAILABLE) {
            assertThat("true".equals(System.getenv("CI")))
                .as("CI=true but Spectral could not be installed (.ci/run installs node and npm): " + printed)
                .isFalse();
            Assumptions.abort("Spectral could not be installed (needs node, npm and the npm registry); "
                    + "set CI=true to require it: " + printed.strip());
        }
        // 0: nothing found, 1: findings; anything else is Spectral failing to run.
        assertThat(process.exitValue()).as(printed).isIn(0, 1);
        List<JsonNode> findings = new ArrayList<>();
        ((ArrayNode) JSON.readTree(Files.readString(results))).forEach(findings::add);
        assertThat(findings.isEmpty()).as(printed).isEqualTo(process.exitValue() == 0);
        return findings;
    }

    private static String codeAndPath(JsonNode result) {
        return result.get("code").asString() + " "
                + result.get("path").valueStream().map(JsonNode::asString).collect(Collectors.joining("."));
    }

    private static String describe(List<JsonNode> results) {
        return results.stream()
            .map(result -> codeAndPath(result) + ": " + result.get("message").asString())
            .collect(Collectors.joining("\n", "spectral found:\n", ""));
    }

}
