/**
 * The composition root: the beans built from the {@code failfast.*} settings (the job
 * executor, the timer scheduler, the clock, the store) and
 * {@link dev.failfast.config.EngineModeConfiguration}, the one place that wires the
 * engine's mode. Nothing depends on this package.
 */
@NullMarked
package dev.failfast.config;

import org.jspecify.annotations.NullMarked;
