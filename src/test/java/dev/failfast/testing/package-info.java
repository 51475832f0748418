/**
 * Test fixtures shared by the test packages: {@link dev.failfast.testing.SettableClock},
 * a clock tests move by hand, and {@link dev.failfast.testing.ManualScheduler}, a
 * {@code TaskScheduler} whose timers run on the test's thread when the test moves time.
 * Test data for batches and jobs lives beside the domain, in
 * {@code dev.failfast.batch.TestBatches} and {@code TestJobs}.
 */
package dev.failfast.testing;
