package dev.failfast.settings;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * {@code failfast.notifications.*}: a default signing secret that could sign nothing is
 * refused at startup, by name and never by value, as are timings that cannot work.
 */
class NotificationSettingsTest {

    private static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    @Test
    void theDefaultsAreValidAndNameNoSecret() {
        FailfastProperties properties = bind(Map.of());

        assertThat(VALIDATOR.validate(properties)).isEmpty();
        assertThat(properties.notifications().signingSecret()).isNull();
    }

    @Test
    void aServiceOrTenantDefaultThatIsNoSigningSecretIsRefused() {
        assertThat(messages(Map.of("failfast.notifications.signing-secret", "change-me")))
            .contains("failfast.notifications.signing-secret")
            .doesNotContain("change-me");
        assertThat(messages(Map.of("failfast.notifications.signing-secret", SECRET,
                "failfast.notifications.tenants.acme.signing-secret", "whsec_dG9vIHNob3J0")))
            .as("too short a key")
            .contains("signing-secret")
            .doesNotContain("dG9vIHNob3J0");
        assertThat(messages(Map.of("failfast.notifications.signing-secret", SECRET))).isEmpty();
    }

    @Test
    void aSecretFileMustBeReadableAndHoldASecret(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("secret");
        assertThat(messages(Map.of("failfast.notifications.signing-secret-file", file.toString())))
            .contains("signing-secret-file");
        Files.writeString(file, "not a secret\n");
        assertThat(messages(Map.of("failfast.notifications.signing-secret-file", file.toString())))
            .contains("signing-secret-file");
        Files.writeString(file, SECRET + "\n");
        assertThat(messages(Map.of("failfast.notifications.signing-secret-file", file.toString()))).isEmpty();
    }

    @Test
    void aClaimThatEndsBeforeItsAttemptIsRefused() {
        assertThat(messages(Map.of("failfast.notifications.timeout", "30s", "failfast.notifications.claim-ttl", "10s")))
            .contains("claim-ttl");
    }

    private static String messages(Map<String, String> settings) {
        return VALIDATOR.validate(bind(settings))
            .stream()
            .map(ConstraintViolation::getMessage)
            .reduce("", (a, b) -> a + b + "\n");
    }

    private static FailfastProperties bind(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(settings)).bindOrCreate("failfast",
                FailfastProperties.class);
    }

}
