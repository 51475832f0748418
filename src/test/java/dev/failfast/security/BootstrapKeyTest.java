package dev.failfast.security;

import static dev.failfast.security.Refusals.assertInvalidToken;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastApplication;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;

/**
 * A deployment's first admin key: the operator's bootstrap key, or one generated into a
 * file when there is none; and the service with authentication turned off. Each test
 * starts the whole service, and starts it again on the same database where a restart
 * matters.
 */
@ExtendWith(OutputCaptureExtension.class)
class BootstrapKeyTest {

    @TempDir
    Path dir;

    @Test
    void withoutABootstrapKeyTheFirstStartGeneratesAnAdminKeyIntoAFileOnlyItsOwnerReads(CapturedOutput output)
            throws IOException {
        Path keyFile = dir.resolve("admin-key");
        String[] args = { fileDatabase(), "--failfast.security.bootstrap-key=",
                "--failfast.security.generated-key-file=" + keyFile };
        String key;
        try (ConfigurableApplicationContext service = start(args)) {
            assertThat(keyFile).isRegularFile();
            assertThat(Files.getPosixFilePermissions(keyFile)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            key = Files.readString(keyFile).strip();
            assertThat(key).startsWith("ffk_");
            assertIsAdmin(client(service, key));
        }
        assertThat(output).contains("wrote it to " + keyFile.toAbsolutePath()).doesNotContain(key);
        byte[] written = Files.readAllBytes(keyFile);
        FileTime writtenAt = Files.getLastModifiedTime(keyFile);

        try (ConfigurableApplicationContext service = start(args)) {
            assertThat(Files.readAllBytes(keyFile)).isEqualTo(written);
            assertThat(Files.getLastModifiedTime(keyFile)).isEqualTo(writtenAt);
            JsonNode keys = assertIsAdmin(client(service, key));
            assertThat(keys.get("content").valueStream()).hasSize(1);
        }
        assertThat(Pattern.compile("generated admin key").matcher(output.getOut()).results())
            .as("generated once, at the first start")
            .hasSize(1);
        assertThat(output).doesNotContain(key);
    }

    @Test
    void aRevokedBootstrapKeyStaysRevokedAcrossARestart(CapturedOutput output) {
        String bootstrap = "bootstrap-key-of-BootstrapKeyTest-0123456789";
        String[] args = { fileDatabase(), "--failfast.security.bootstrap-key=" + bootstrap };
        String secondAdmin;
        String bootstrapId;
        try (ConfigurableApplicationContext service = start(args)) {
            ApiClient client = client(service, bootstrap);
            JsonNode keys = assertIsAdmin(client);
            bootstrapId = keys.get("content").get(0).get("id").asString();
            assertThat(keys.get("content").get(0).get("name").asString()).isEqualTo("bootstrap");
            secondAdmin = client.createKey("default", "admin").get("key").asString();

            ApiClient.Response revoked = client.as(secondAdmin).delete("/api/v1/api-keys/" + bootstrapId);

            assertThat(revoked.status()).as(revoked.body()).isEqualTo(204);
            assertInvalidToken(client.get("/api/v1/api-keys"));
        }

        try (ConfigurableApplicationContext service = start(args)) {
            assertInvalidToken(client(service, bootstrap).get("/api/v1/api-keys"));
            JsonNode keys = assertIsAdmin(client(service, secondAdmin));
            assertThat(keys.get("content").valueStream()).hasSize(2);
        }
        assertThat(output)
            .contains("failfast.security.bootstrap-key names API key " + bootstrapId + ", which was revoked at")
            .doesNotContain(bootstrap);
        assertThat(output.getOut().lines().filter(line -> line.contains("it stays revoked"))).singleElement()
            .asString()
            .contains("WARN");
    }

    @Test
    void withAuthenticationOffAnyoneMaySubmitAndRead(CapturedOutput output) {
        // The test resources' in-memory H2 database, no bootstrap key: with nobody
        // needing a
        // key, none is generated either.
        Path keyFile = dir.resolve("admin-key");
        try (ConfigurableApplicationContext service = start("--failfast.security.enabled=false",
                "--failfast.security.bootstrap-key=", "--failfast.security.generated-key-file=" + keyFile)) {
            ApiClient anonymous = client(service, null);

            String id = anonymous.submit(Map.of("jobs", List.of(ApiClient.sleep("only", "PT0S"))));

            JsonNode batch = anonymous.batch(id);
            assertThat(batch.get("tenant").asString()).isEqualTo("default");
            assertThat(batch.get("submittedBy").asString()).isEqualTo("anonymous");
            JsonNode me = anonymous.get("/api/v1/me").json();
            assertThat(me.get("principal").asString()).isEqualTo("anonymous");
            assertThat(me.get("scopes").valueStream().map(JsonNode::asString).toList()).contains("admin",
                    "batches:write");
        }
        assertThat(output).contains("AUTHENTICATION IS OFF");
        assertThat(keyFile).doesNotExist();
    }

    /**
     * The service, with {@code args} on its command line (which win over config files).
     */
    private static ConfigurableApplicationContext start(String... args) {
        return new SpringApplicationBuilder(FailfastApplication.class).properties("server.port=0").run(args);
    }

    private String fileDatabase() {
        return "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("db") + ";WRITE_DELAY=0";
    }

    private static ApiClient client(ConfigurableApplicationContext service, @Nullable String key) {
        return new ApiClient(service.getEnvironment().getRequiredProperty("local.server.port", Integer.class), key);
    }

    /** The admin's call: the list of every key. */
    private static JsonNode assertIsAdmin(ApiClient client) {
        ApiClient.Response keys = client.get("/api/v1/api-keys");
        assertThat(keys.status()).as(keys.body()).isEqualTo(200);
        return keys.json();
    }

}
