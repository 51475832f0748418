/**
 * Remote workers (docs/workers.md): jobs of a {@code remote:<name>} type run on worker
 * processes in any language, which claim them over the HTTP API, report heartbeats and
 * outcomes, and are pushed a cancel the moment their batch's cause is recorded.
 *
 * <p>
 * On the engine's side a remote attempt is an ordinary attempt: {@link RemoteJobHandler}
 * offers it to the {@link RemoteAttempts} registry and waits for a worker's report, so
 * parallelism, quotas, timeouts, retries, grace and abandonment apply unchanged. The
 * registry is in memory on a single instance and in PostgreSQL in cluster mode. Uses the
 * job SPI and the domain; the API uses it.
 */
@NullMarked
package dev.failfast.worker;

import org.jspecify.annotations.NullMarked;
