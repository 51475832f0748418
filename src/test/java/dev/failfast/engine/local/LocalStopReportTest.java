package dev.failfast.engine.local;

import static dev.failfast.batch.TestBatches.CALLER;
import static org.awaitility.Awaitility.await;

import dev.failfast.batch.Batch;
import dev.failfast.testing.SettableClock;
import dev.failfast.testing.StepJob;
import dev.failfast.testing.StopStory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stop report on a single instance: {@link StopStory}, on real job threads and a
 * clock the test moves, so every time the report sums is the story's.
 */
class LocalStopReportTest {

    final SettableClock clock = new SettableClock(StopStory.T0);

    final StepJob steps = new StepJob();

    final LocalEngine local = new LocalEngine(Map.of(), List.of(steps), clock);

    @AfterEach
    void close() {
        local.close();
    }

    @Test
    void theReportCountsTheJobsTheCauseStoppedAndSkippedAndTheWorkDiscardedAndSaved() throws Exception {
        Batch batch = local.engine.submit(CALLER, StopStory.batch());
        for (String id : List.of("s1", "g1", "g2")) {
            steps.awaitStarted(id);
        }
        clock.advance(Duration.ofSeconds(2));
        steps.open("s1");
        steps.awaitStarted("f");
        clock.advance(Duration.ofSeconds(3));
        steps.open("f");

        Batch ended = await().until(() -> local.find(batch.id()), found -> found.state().isTerminal());

        StopStory.assertStopped(ended, local.store);
    }

}
