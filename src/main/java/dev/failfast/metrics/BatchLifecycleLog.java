package dev.failfast.metrics;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchEvent;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.CancellationCause;
import dev.failfast.engine.BatchEventListener;
import dev.failfast.logging.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Logs the batch lifecycle events the engine does not log itself: the first job starting,
 * and the cancellation cause being recorded while jobs still run. {@code BatchEngine}
 * logs submission and the terminal state (with the cause, if any), so every batch gets
 * one line per lifecycle event, in order, each naming the batch id. A cause that ends the
 * batch at once (nothing was running) is only in the terminal line.
 */
@Component
class BatchLifecycleLog implements BatchEventListener {

    private static final Logger log = LoggerFactory.getLogger(BatchLifecycleLog.class);

    @Override
    public void onEvent(BatchEvent event) {
        if (!(event instanceof BatchEvent.BatchChanged(Batch batch, BatchState _))) {
            return;
        }
        CancellationCause cause = batch.cancellation();
        if (batch.state() == BatchState.RUNNING) {
            log.info("Batch {} RUNNING: first job started", batch.id());
        }
        else if (batch.state() == BatchState.CANCELLING && cause != null) {
            log.info("Batch {} CANCELLING: cause {} (job {}, {}), {} jobs still running", batch.id(), cause.cause(),
                    LogText.of(cause.jobId()), LogText.of(cause.reason() != null ? cause.reason() : cause.message()),
                    batch.counts().running());
        }
    }

}
