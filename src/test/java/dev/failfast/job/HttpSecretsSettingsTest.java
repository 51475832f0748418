package dev.failfast.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.failfast.batch.JobError;
import dev.failfast.settings.FailfastProperties;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * {@code failfast.jobs.http.secrets.*}: who may send a secret where, how its value is
 * read, and settings refused at startup.
 */
class HttpSecretsSettingsTest {

    private static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();

    private static final URI PARTNER = URI.create("https://api.partner.example/v1/orders");

    @TempDir
    Path dir;

    @Test
    void withoutTenantsASecretIsTheDefaultTenantsOnly() {
        HttpSecrets secrets = secrets(
                Map.of("failfast.security.default-tenant", "ops", "failfast.jobs.http.secrets.partner.value",
                        "s3cr3t-value", "failfast.jobs.http.secrets.partner.hosts", "*.partner.example"));

        assertThat(secrets.refusal("partner", "ops", PARTNER)).isEmpty();
        assertThat(secrets.refusal("partner", "default", PARTNER))
            .contains("no secret 'partner' is available to this tenant");
        assertThat(secrets.refusal("unknown", "ops", PARTNER))
            .contains("no secret 'unknown' is available to this tenant");
    }

    @Test
    void listedTenantsOrEveryTenantWithAStar() {
        HttpSecrets secrets = secrets(Map.of("failfast.jobs.http.secrets.listed.value", "s3cr3t-value",
                "failfast.jobs.http.secrets.listed.hosts", "api.partner.example",
                "failfast.jobs.http.secrets.listed.tenants", "team-a,team-b", "failfast.jobs.http.secrets.shared.value",
                "s3cr3t-value", "failfast.jobs.http.secrets.shared.hosts", "api.partner.example",
                "failfast.jobs.http.secrets.shared.tenants", "*"));

        assertThat(secrets.refusal("listed", "team-b", PARTNER)).isEmpty();
        assertThat(secrets.refusal("listed", "default", PARTNER)).isPresent();
        assertThat(secrets.refusal("shared", "anyone", PARTNER)).isEmpty();
    }

    @Test
    void aSecretGoesOnlyToItsHostsAndOverHttpsUnlessAllowed() {
        HttpSecrets secrets = secrets(Map.of("failfast.jobs.http.secrets.partner.value", "s3cr3t-value",
                "failfast.jobs.http.secrets.partner.hosts", "*.partner.example"));

        assertThat(secrets.refusal("partner", "default", URI.create("https://partner.example/")))
            .contains("secret 'partner' may not be sent to host partner.example");
        assertThat(secrets.refusal("partner", "default", URI.create("https://evil.example/?h=api.partner.example")))
            .contains("secret 'partner' may not be sent to host evil.example");
        assertThat(secrets.refusal("partner", "default", URI.create("https://API.Partner.Example/"))).isEmpty();
        assertThat(secrets.refusal("partner", "default", URI.create("http://api.partner.example/")))
            .contains("secret 'partner' may only be sent over https");
    }

    @Test
    void aFileIsReadAtEveryCallWithoutItsTrailingLineBreak() throws Exception {
        Path file = dir.resolve("partner");
        Files.writeString(file, "first-value\n");
        HttpSecrets secrets = secrets(Map.of("failfast.jobs.http.secrets.partner.file", file.toString(),
                "failfast.jobs.http.secrets.partner.hosts", "api.partner.example"));

        assertThat(secrets.value("partner")).isEqualTo("first-value");
        Files.writeString(file, "second-value\r\n");
        assertThat(secrets.value("partner")).isEqualTo("second-value");
    }

    @Test
    void aMissingFileOrALineBreakFailsTheAttemptWithoutNamingTheFile() throws IOException {
        Path broken = dir.resolve("broken");
        Files.writeString(broken, "two\nlines");
        HttpSecrets secrets = secrets(Map.of("failfast.jobs.http.secrets.gone.file", dir.resolve("gone").toString(),
                "failfast.jobs.http.secrets.gone.hosts", "api.partner.example",
                "failfast.jobs.http.secrets.broken.file", broken.toString(), "failfast.jobs.http.secrets.broken.hosts",
                "api.partner.example"));

        assertThatExceptionOfType(JobFailedException.class).isThrownBy(() -> secrets.value("gone"))
            .satisfies(e -> assertThat(e.errorType()).isEqualTo(JobError.SECRET_UNAVAILABLE))
            .withMessage("Secret 'gone' cannot be read");
        assertThatExceptionOfType(JobFailedException.class).isThrownBy(() -> secrets.value("broken"))
            .withMessageContaining("line break")
            .withMessageNotContaining("lines");
    }

    @Test
    void aSecretsHostsMatchAsTheGuardsDoWhateverTheSpellingOfNameOrAddress() {
        HttpSecrets secrets = secrets(Map.of("failfast.jobs.http.secrets.partner.value", "s3cr3t-value",
                "failfast.jobs.http.secrets.partner.hosts", "API.Partner.Example., [::1], 2001:db8:0:0::7"));

        assertThat(secrets.refusal("partner", "default", URI.create("https://api.partner.example./"))).isEmpty();
        assertThat(secrets.refusal("partner", "default", URI.create("https://[0:0:0:0:0:0:0:1]/"))).isEmpty();
        assertThat(secrets.refusal("partner", "default", URI.create("https://[2001:DB8::7]/"))).isEmpty();
        assertThat(secrets.refusal("partner", "default", URI.create("https://[::2]/")))
            .contains("secret 'partner' may not be sent to host 0:0:0:0:0:0:0:2");
        assertThat(secrets.refusal("partner", "default", URI.create("https://0x7f.1/"))).isPresent();
    }

    @Test
    void aSecretWithAnyControlCharacterIsNoHeaderValue() throws Exception {
        Path bell = dir.resolve("bell");
        Files.writeString(bell, "s3cr3t\u0007value");
        Path nul = dir.resolve("nul");
        Files.writeString(nul, "s3cr3t\u0000value");
        HttpSecrets secrets = secrets(Map.of("failfast.jobs.http.secrets.bell.file", bell.toString(),
                "failfast.jobs.http.secrets.bell.hosts", "api.partner.example", "failfast.jobs.http.secrets.nul.file",
                nul.toString(), "failfast.jobs.http.secrets.nul.hosts", "api.partner.example",
                "failfast.jobs.http.secrets.tab.value", "s3cr3t\tvalue", "failfast.jobs.http.secrets.tab.hosts",
                "api.partner.example"));

        for (String name : new String[] { "bell", "nul" }) {
            assertThatExceptionOfType(JobFailedException.class).isThrownBy(() -> secrets.value(name))
                .satisfies(e -> assertThat(e.errorType()).isEqualTo(JobError.SECRET_UNAVAILABLE))
                .withMessageContaining("control character")
                .withMessageNotContaining("s3cr3t");
        }
        assertThat(secrets.value("tab")).isEqualTo("s3cr3t\tvalue");
    }

    @Test
    void aSecretNeedsHostsAndExactlyOneSourceAndNeverShowsItsValue() {
        FailfastProperties properties = bind(Map.of("failfast.jobs.http.secrets.nohosts.value", "s3cr3t-value",
                "failfast.jobs.http.secrets.both.value", "s3cr3t-value", "failfast.jobs.http.secrets.both.file",
                "/run/secret", "failfast.jobs.http.secrets.both.hosts", "h.example",
                "failfast.jobs.http.secrets.none.hosts", "h.example"));

        assertThat(VALIDATOR.validate(properties)).extracting(ConstraintViolation::getMessage)
            .containsExactlyInAnyOrder("hosts must name at least one host the secret may be sent to",
                    "set exactly one of value and file", "set exactly one of value and file");
        assertThat(properties.jobs().http().secrets().toString()).doesNotContain("s3cr3t-value");
    }

    private static HttpSecrets secrets(Map<String, String> settings) {
        FailfastProperties properties = bind(settings);
        assertThat(VALIDATOR.validate(properties)).isEmpty();
        return new HttpSecrets(properties);
    }

    private static FailfastProperties bind(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(new HashMap<>(settings))).bindOrCreate("failfast",
                FailfastProperties.class);
    }

}
