package dev.failfast.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.failfast.job.JobCancelledException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CancellationSourceTest {

    @Test
    void cancelsOnceAndRunsEveryCallbackEvenIfOneFails() {
        var token = new CancellationSource();
        List<String> ran = new ArrayList<>();
        token.onCancel(() -> ran.add("first"));
        token.onCancel(() -> {
            throw new IllegalStateException("broken callback");
        });
        token.onCancel(() -> ran.add("third"));

        assertThat(token.cancel(StopReason.BATCH_CANCELLED)).isTrue();
        assertThat(token.cancel(StopReason.TIMEOUT)).isFalse();

        assertThat(ran).containsExactly("first", "third");
        assertThat(token.reason()).isEqualTo(StopReason.BATCH_CANCELLED);
        assertThatThrownBy(token::throwIfCancelled).isInstanceOf(JobCancelledException.class);
    }

    @Test
    void aCallbackRegisteredAfterCancellationRunsAtOnce() {
        var token = new CancellationSource();
        token.cancel(StopReason.TIMEOUT);
        List<String> ran = new ArrayList<>();

        token.onCancel(() -> ran.add("late"));

        assertThat(ran).containsExactly("late");
    }

    @Test
    void aClosedRegistrationDoesNotRun() {
        var token = new CancellationSource();
        List<String> ran = new ArrayList<>();
        var registration = token.onCancel(() -> ran.add("closed"));
        registration.close();

        token.cancel(StopReason.BATCH_CANCELLED);

        assertThat(ran).isEmpty();
    }

}
