/**
 * Benchmarks of the Failfast engine against raw executors and the seeds' hand-rolled thread-pool
 * code. Nothing here runs in the service's build; see {@code bench/run-all.sh}.
 */
@NullMarked
package dev.failfast.bench;

import org.jspecify.annotations.NullMarked;
