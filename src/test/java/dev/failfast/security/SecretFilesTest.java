package dev.failfast.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.ApiClient;
import dev.failfast.FailfastApplication;
import dev.failfast.testing.TestKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Secrets as files, the way the Helm chart mounts them: one file per setting, named after
 * it, imported with Spring's {@code configtree:} (the chart sets
 * {@code SPRING_CONFIG_IMPORT=optional:configtree:/etc/failfast/secrets/}). The file wins
 * over every configuration file, and its trailing newline is not part of the value.
 */
class SecretFilesTest {

    @TempDir
    Path secrets;

    @Test
    void theBootstrapKeyFromAFileIsTheOneThatWorks() throws IOException {
        String key = "mounted-from-a-secret-file-0123456789abcdef";
        Files.writeString(secrets.resolve("failfast.security.bootstrap-key"), key + "\n");

        try (ConfigurableApplicationContext service = new SpringApplicationBuilder(FailfastApplication.class).run(
                "--server.port=0", "--spring.config.import=optional:configtree:" + secrets.toAbsolutePath() + "/",
                "--spring.datasource.url=jdbc:h2:mem:secret-files-" + UUID.randomUUID())) {
            int port = service.getEnvironment().getRequiredProperty("local.server.port", Integer.class);

            assertThat(new ApiClient(port, key).get("/api/v1/batches").status()).isEqualTo(200);
            assertThat(new ApiClient(port, TestKeys.ADMIN).get("/api/v1/batches").status())
                .as("the test configuration's key, which the file replaced")
                .isEqualTo(401);
        }
    }

}
