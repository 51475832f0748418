package dev.failfast.settings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.settings.FailfastProperties.TenantLimits;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * {@code failfast.tenants.*}: the defaults, an override's keys falling back to them, and
 * a pending-jobs limit that could never admit a full batch refused at startup.
 */
class TenantSettingsTest {

    private static final Validator VALIDATOR = Validation.buildDefaultValidatorFactory().getValidator();

    @Test
    void withNothingSetATenantMayQueueUpToTheGlobalLimitUseThePoolAndSubmit600BatchesAMinute() {
        FailfastProperties properties = bind(Map.of());

        assertThat(properties.tenants().of("acme", properties.limits().maxPendingJobs()))
            .isEqualTo(new TenantLimits(1_000_000, null, 600));
        assertThat(VALIDATOR.validate(properties)).isEmpty();
    }

    @Test
    void anOverridesUnsetKeysAreTheDefaults() {
        FailfastProperties properties = bind(Map.of("failfast.tenants.defaults.max-pending-jobs", "200000",
                "failfast.tenants.defaults.max-running-jobs", "8", "failfast.tenants.overrides.acme.max-running-jobs",
                "2", "failfast.tenants.overrides[Big.Corp].batches-per-minute", "6000"));

        assertThat(properties.tenants().of("acme", 1_000_000)).isEqualTo(new TenantLimits(200_000, 2, 600));
        assertThat(properties.tenants().of("Big.Corp", 1_000_000)).isEqualTo(new TenantLimits(200_000, 8, 6000));
        assertThat(properties.tenants().of("other", 1_000_000)).isEqualTo(new TenantLimits(200_000, 8, 600));
    }

    @Test
    void aTenantPendingLimitBelowTheLargestBatchIsRefused() {
        FailfastProperties properties = bind(Map.of("failfast.tenants.overrides.acme.max-pending-jobs", "99999"));

        assertThat(VALIDATOR.validate(properties)).extracting(violation -> violation.getMessage())
            .singleElement()
            .asString()
            .contains("max-pending-jobs", "max-jobs-per-batch");
    }

    private static FailfastProperties bind(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(settings)).bindOrCreate("failfast",
                FailfastProperties.class);
    }

}
