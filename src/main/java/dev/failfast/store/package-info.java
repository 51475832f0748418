/**
 * Persistence of batches and jobs behind one interface,
 * {@link dev.failfast.store.BatchStore}. The engine writes through it; the API reads
 * through it.
 */
@NullMarked
package dev.failfast.store;

import org.jspecify.annotations.NullMarked;
