package dev.failfast.engine.cluster;

import static dev.failfast.batch.TestJobs.aJob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.batch.Job;
import dev.failfast.engine.StopReason;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What a replica holds of each batch is held per run: a cause notice of a run that ended
 * (late, or remembered) never stops the run a redrive started since.
 */
class HeldBatchesTest {

    private final HeldBatches held = new HeldBatches();

    private final UUID batchId = UUID.randomUUID();

    private final List<Job> jobs = List.of(aJob("a").build());

    @Test
    void aLateCauseNoticeOfAnEarlierRunStopsNothingOfTheRunHeldNow() {
        HeldBatch second = held.hold(batchId, 2, "team-a", jobs);

        assertThat(held.causeRecorded(batchId, 1)).as("run 1's notice").isNull();
        assertThat(held.hadCauseRecently(batchId, 2)).isFalse();
        assertThat(held.causeRecorded(batchId, 2)).isSameAs(second);
        assertThat(held.hadCauseRecently(batchId, 2)).isTrue();
    }

    @Test
    void aCauseFoundInTheDatabaseStopsTheRunHeldNow() {
        HeldBatch held2 = held.hold(batchId, 2, "team-a", jobs);

        assertThat(held.causeRecorded(batchId, HeldBatches.ANY_RUN)).isSameAs(held2);
        assertThat(held.hadCauseRecently(batchId, 2)).isTrue();
        assertThat(held.hadCauseRecently(batchId, 1)).isFalse();
    }

    @Test
    void aClaimOfTheNextRunReplacesWhatWasHeldOfTheLastAndTheLastsReleaseLeavesItAlone() {
        HeldBatch first = held.hold(batchId, 1, "team-a", jobs);
        first.token.cancel(StopReason.BATCH_CANCELLED);

        HeldBatch second = held.hold(batchId, 2, "team-a", jobs);
        held.release(first, List.of("a"));

        assertThat(second).isNotSameAs(first);
        assertThat(second.token.isCancelled()).as("a fresh token for the new run").isFalse();
        assertThat(held.jobs()).as("run 2's job is still held").isOne();
        held.release(second, List.of("a"));
        assertThat(held.jobs()).isZero();
    }

    @Test
    void claimsOfOneRunShareWhatIsHeld() {
        HeldBatch first = held.hold(batchId, 1, "team-a", jobs);
        HeldBatch again = held.hold(batchId, 1, "team-a", List.of(aJob("b").build()));

        assertThat(again).isSameAs(first);
        assertThat(held.jobs()).isEqualTo(2);
    }

}
