/**
 * The single-instance mode (the default): each batch runs in the process that accepted
 * it, its live state in memory and its changes written behind to the store.
 *
 * <p>
 * {@link dev.failfast.engine.local.LocalRunner} holds the active batches; each is a
 * {@code
 * BatchRun} whose every state change happens under the batch's own lock. Recording a
 * cancellation cause and starting a job take that same lock, which is why no job can
 * start after the cause. {@code Dispatcher} hands jobs to the executor fairly across
 * batches, {@code BatchRecovery} settles or resumes what a previous process left.
 */
@NullMarked
package dev.failfast.engine.local;

import org.jspecify.annotations.NullMarked;
