package dev.failfast.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SettableClockTest {

    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    final SettableClock clock = new SettableClock(T0);

    @Test
    void standsStillUntilMoved() {
        assertThat(clock.instant()).isEqualTo(T0);
        assertThat(clock.millis()).isEqualTo(T0.toEpochMilli());
        assertThat(new SettableClock().instant()).isEqualTo(SettableClock.DEFAULT_START);
    }

    @Test
    void advancesAndIsSetEitherWay() {
        assertThat(clock.advance(Duration.ofSeconds(90))).isEqualTo(T0.plusSeconds(90));
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(90));

        clock.set(T0.minusSeconds(1));

        assertThat(clock.instant()).as("set may step back, as a real clock can").isEqualTo(T0.minusSeconds(1));
        assertThatThrownBy(() -> clock.advance(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("negative");
    }

    @Test
    void isUtcAndAViewInAnotherZoneFollowsIt() {
        ZoneId paris = ZoneId.of("Europe/Paris");
        var inParis = clock.withZone(paris);

        clock.advance(Duration.ofMinutes(5));

        assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
        assertThat(clock.withZone(ZoneOffset.UTC)).isSameAs(clock);
        assertThat(inParis.getZone()).isEqualTo(paris);
        assertThat(inParis.instant()).isEqualTo(T0.plusSeconds(300));
    }

    @Test
    void concurrentAdvancesAreNotLost() {
        try (ExecutorService threads = Executors.newFixedThreadPool(4)) {
            IntStream.range(0, 4_000).forEach(i -> threads.execute(() -> clock.advance(Duration.ofMillis(1))));
        }

        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(4));
    }

}
