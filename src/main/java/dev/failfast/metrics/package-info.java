/**
 * Observability: Micrometer meters under the {@code failfast.} prefix, the engine and
 * store readiness health indicators, and the batch lifecycle log.
 *
 * <p>
 * Meters are fed by the engine's {@link dev.failfast.engine.BatchEventListener} SPI, by
 * gauges over {@link dev.failfast.engine.BatchEngine}'s counts, and by a timing proxy
 * around the {@link dev.failfast.store.BatchStore} bean. No meter is tagged with a batch
 * or job id, so the number of series does not grow with traffic. Every meter is listed in
 * {@code docs/metrics.md}.
 */
@NullMarked
package dev.failfast.metrics;

import org.jspecify.annotations.NullMarked;
