/**
 * Runs batches, in either of two modes behind one front door.
 *
 * <p>
 * {@link dev.failfast.engine.BatchEngine} is what the API sees;
 * {@link dev.failfast.engine.EngineFrontDoor} implements it for both modes: validation,
 * admission, idempotency, storing the batch, guards on cancel and delete, readiness. What
 * follows the store's create is the {@link dev.failfast.engine.BatchRunner} of the mode:
 * {@code engine.local} (one instance per database) or {@code engine.cluster} (replicas on
 * one PostgreSQL database).
 *
 * <p>
 * Shared by both: the attempt machinery ({@link dev.failfast.engine.Attempt},
 * {@link dev.failfast.engine.AttemptRunner},
 * {@link dev.failfast.engine.CancellationSource}), the one rule from an attempt's
 * {@link dev.failfast.engine.Outcome} to its job's next state
 * ({@link dev.failfast.engine.AttemptOutcomes}), the one timer sequence timeout → grace →
 * abandon ({@link dev.failfast.engine.AttemptTimers}), and the one event emitter
 * ({@link dev.failfast.engine.BatchEvents}).
 */
@NullMarked
package dev.failfast.engine;

import org.jspecify.annotations.NullMarked;
