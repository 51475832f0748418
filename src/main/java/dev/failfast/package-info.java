/**
 * Failfast: a service that runs batches of jobs and stops a whole batch the moment it
 * should stop. See {@code docs/architecture.md} for how the packages fit together.
 */
@NullMarked
package dev.failfast;

import org.jspecify.annotations.NullMarked;
