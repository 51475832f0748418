package dev.failfast.engine.local;

import dev.failfast.batch.Job;
import dev.failfast.engine.JobRun;
import org.jspecify.annotations.Nullable;

/**
 * A job of a batch this process runs, with what the dispatcher needs of it. Guarded by
 * its batch's lock.
 */
final class LocalJob extends JobRun {

    /**
     * Counts against the batch's maxParallelism: from dispatch until its attempt ended or
     * a retry is due.
     */
    boolean holdsSlot;

    /** The dispatcher's hand-over of its current attempt, until that attempt ended. */
    Dispatcher.@Nullable Handover handover;

    LocalJob(Job job, @Nullable Object parsedParams) {
        super(job, parsedParams);
    }

}
