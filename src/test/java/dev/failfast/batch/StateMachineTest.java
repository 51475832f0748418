package dev.failfast.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class StateMachineTest {

    @ParameterizedTest
    @CsvSource(textBlock = """
            QUEUED,     RUNNING
            QUEUED,     CANCELLING
            RUNNING,    CANCELLING
            RUNNING,    SUCCEEDED
            RUNNING,    FAILED
            CANCELLING, FAILED
            CANCELLING, CANCELLED
            CANCELLING, SUCCEEDED
            SUCCEEDED,  QUEUED
            FAILED,     QUEUED
            CANCELLED,  QUEUED
            """)
    void batchMovesAlongItsLifeCycle(BatchState from, BatchState to) {
        assertThat(from.transitionTo(to)).isEqualTo(to);
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            RUNNING,    QUEUED
            CANCELLING, RUNNING
            CANCELLING, QUEUED
            SUCCEEDED,  FAILED
            CANCELLED,  RUNNING
            FAILED,     RUNNING
            FAILED,     CANCELLING
            QUEUED,     QUEUED
            """)
    void illegalBatchTransitionNamesBothStates(BatchState from, BatchState to) {
        assertThatThrownBy(() -> from.transitionTo(to)).isInstanceOf(IllegalStateTransitionException.class)
            .hasMessageContaining(from.name())
            .hasMessageContaining(to.name());
    }

    @ParameterizedTest
    @EnumSource(value = BatchState.class, names = { "SUCCEEDED", "FAILED", "CANCELLED" })
    void aTerminalBatchStateLeadsOnlyToTheQueueOfARedrive(BatchState state) {
        assertThat(state.isTerminal()).isTrue();
        assertThat(state.allowedNext()).containsExactly(BatchState.QUEUED);
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            PENDING, RUNNING
            PENDING, SKIPPED
            PENDING, CANCELLED
            RUNNING, RUNNING
            RUNNING, PENDING
            RUNNING, SUCCEEDED
            RUNNING, FAILED
            RUNNING, CANCELLED
            RUNNING, SKIPPED
            FAILED,    PENDING
            CANCELLED, PENDING
            SKIPPED,   PENDING
            """)
    void jobMovesAlongItsLifeCycle(JobState from, JobState to) {
        assertThat(from.transitionTo(to)).isEqualTo(to);
    }

    @ParameterizedTest
    @CsvSource(textBlock = """
            PENDING,   SUCCEEDED
            PENDING,   FAILED
            PENDING,   PENDING
            SUCCEEDED, RUNNING
            SUCCEEDED, PENDING
            SKIPPED,   RUNNING
            FAILED,    RUNNING
            CANCELLED, SKIPPED
            """)
    void illegalJobTransitionThrows(JobState from, JobState to) {
        assertThatThrownBy(() -> from.transitionTo(to)).isInstanceOf(IllegalStateTransitionException.class);
    }

    @ParameterizedTest
    @EnumSource(value = JobState.class, names = { "FAILED", "CANCELLED", "SKIPPED" })
    void aFailedCancelledOrSkippedJobLeadsOnlyBackToPendingForARedrive(JobState state) {
        assertThat(state.isTerminal()).isTrue();
        assertThat(state.allowedNext()).containsExactly(JobState.PENDING);
    }

    @Test
    void aSucceededJobLeadsNowhere() {
        assertThat(JobState.SUCCEEDED.isTerminal()).isTrue();
        assertThat(JobState.SUCCEEDED.allowedNext()).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(CauseType.class)
    void onlyAUserCancelEndsCancelledAndOnlyAMetSuccessPolicySucceeded(CauseType cause) {
        BatchState expected = switch (cause) {
            case USER_REQUESTED -> BatchState.CANCELLED;
            case SUCCESS_POLICY_MET -> BatchState.SUCCEEDED;
            default -> BatchState.FAILED;
        };
        assertThat(cause.terminalState()).isEqualTo(expected);
        assertThat(BatchState.CANCELLING.allowedNext()).contains(cause.terminalState());
    }

}
