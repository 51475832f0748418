package dev.failfast.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    @Test
    void backoffGrowsByTheMultiplierUpToTheCap() {
        var policy = new RetryPolicy(6, Duration.ofMillis(100), 3.0, Duration.ofSeconds(2));

        assertThat(policy.backoffBefore(2)).isEqualTo(Duration.ofMillis(100));
        assertThat(policy.backoffBefore(3)).isEqualTo(Duration.ofMillis(300));
        assertThat(policy.backoffBefore(4)).isEqualTo(Duration.ofMillis(900));
        assertThat(policy.backoffBefore(5)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new RetryPolicy(0, Duration.ZERO, 1, Duration.ZERO))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RetryPolicy(2, Duration.ZERO, 0.5, Duration.ZERO))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void countsMoveBetweenStates() {
        JobCounts counts = JobCounts.allPending(10)
            .moved(JobState.PENDING, JobState.RUNNING, 3)
            .moved(JobState.RUNNING, JobState.FAILED);

        assertThat(counts).isEqualTo(new JobCounts(10, 7, 2, 0, 1, 0, 0));
        assertThat(counts.of(JobState.FAILED)).isEqualTo(1);
    }

    @Test
    void propagationIsFractionalMilliseconds() {
        var requested = java.time.Instant.parse("2026-01-01T00:00:00Z");
        var cause = CancellationCause.of(CauseType.USER_REQUESTED, null, "x", requested);

        assertThat(cause.propagationMillis()).isNull();
        assertThat(cause.completed(requested.plusNanos(412_500)).propagationMillis()).isEqualTo(0.4125);
    }

}
