package dev.failfast.engine.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The cluster poll runs every task in order, each on its own: one that fails does not
 * stop the next.
 */
class ClusterPollTest {

    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void aFailingTaskDoesNotKeepTheOthersFromRunning() {
        List<String> ran = new ArrayList<>();
        PollTask first = now -> ran.add("first at " + now);
        PollTask broken = now -> {
            ran.add("broken");
            throw new IllegalStateException("the database is gone");
        };
        PollTask last = now -> ran.add("last");

        new ClusterPoll(Clock.fixed(NOW, ZoneOffset.UTC), List.of(first, broken, last)).run();

        assertThat(ran).containsExactly("first at " + NOW, "broken", "last");
    }

}
