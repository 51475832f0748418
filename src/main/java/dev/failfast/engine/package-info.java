/**
 * Runs batches: dispatches their jobs fairly onto the job executor, keeps one cancellation token
 * per batch, and carries out timeouts, retries, deadlines and cancellation.
 *
 * <p>{@link dev.failfast.engine.BatchEngine} is the entry point. Each active batch is a {@code
 * BatchRun} whose every state change happens under the batch's own lock; recording a cancellation
 * cause and starting a job take that same lock, which is why no job can start after the cause.
 */
@NullMarked
package dev.failfast.engine;

import org.jspecify.annotations.NullMarked;
