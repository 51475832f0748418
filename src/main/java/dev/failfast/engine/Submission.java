package dev.failfast.engine;

import dev.failfast.batch.Batch;

/**
 * What a submission, or a redrive, with an idempotency key led to.
 *
 * @param batch the batch as it stands now
 * @param created true if this request created it (or queued its redriven run); false if
 * an earlier request with the same key and body did, and this one only returns its status
 */
public record Submission(Batch batch, boolean created) {
}
