/**
 * The job-type SPI and the built-in job types.
 *
 * <p>
 * Any Spring bean implementing {@link dev.failfast.job.JobHandler} registers a job type.
 * The engine hands each attempt a {@link dev.failfast.job.JobContext} carrying the parsed
 * params, the attempt number and a {@link dev.failfast.job.CancellationToken}. See
 * {@code docs/job-types.md}.
 */
@NullMarked
package dev.failfast.job;

import org.jspecify.annotations.NullMarked;
