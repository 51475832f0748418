package dev.failfast.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.settings.FailfastProperties;
import dev.failfast.store.RunningCaps;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The caps a replica's claims honour, as {@code failfast.tenants.*} sets them. */
class RunningCapsTest {

    @Test
    void namedTenantsHaveTheirOverrideOrTheDefaultAndEveryOtherTenantTheDefault() {
        RunningCaps caps = ClusterRunner.runningCaps(bind(Map.of("failfast.tenants.defaults.max-running-jobs", "8",
                "failfast.tenants.overrides.acme.max-running-jobs", "2",
                "failfast.tenants.overrides.globex.batches-per-minute", "60")));

        assertThat(caps.of("acme")).isEqualTo(2);
        assertThat(caps.of("globex")).as("its override leaves the cap unset").isEqualTo(8);
        assertThat(caps.of("initech")).isEqualTo(8);
    }

    @Test
    void withNoCapSetNoTenantIsCapped() {
        RunningCaps caps = ClusterRunner
            .runningCaps(bind(Map.of("failfast.tenants.overrides.globex.batches-per-minute", "60")));

        assertThat(caps.of("globex")).isEqualTo(RunningCaps.NONE);
        assertThat(caps.of("initech")).isEqualTo(RunningCaps.NONE);
    }

    private static FailfastProperties bind(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(settings)).bindOrCreate("failfast",
                FailfastProperties.class);
    }

}
