/**
 * Writing text a client chose into a log line safely:
 * {@link dev.failfast.logging.LogText}. Any package may use it; it depends on none of
 * ours.
 */
@NullMarked
package dev.failfast.logging;

import org.jspecify.annotations.NullMarked;
