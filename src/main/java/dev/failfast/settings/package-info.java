/**
 * Every {@code failfast.*} setting, in one validated record tree
 * ({@link dev.failfast.settings.FailfastProperties}); any package may read it, it depends
 * on none of them.
 */
@NullMarked
package dev.failfast.settings;

import org.jspecify.annotations.NullMarked;
