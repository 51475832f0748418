/**
 * Configuration: the {@code failfast.*} properties and the beans that are built from them (the job
 * executor, the scheduler, the clock, the store).
 */
@NullMarked
package dev.failfast.config;

import org.jspecify.annotations.NullMarked;
