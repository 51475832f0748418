/**
 * The domain of Failfast: batches, jobs, their states and the cancellation cause.
 *
 * <p>
 * Plain Java values (records and enums). The state machines of
 * {@link dev.failfast.batch.BatchState} and {@link dev.failfast.batch.JobState} are
 * written down here once; everything else asks them whether a transition is allowed.
 */
@NullMarked
package dev.failfast.batch;

import org.jspecify.annotations.NullMarked;
