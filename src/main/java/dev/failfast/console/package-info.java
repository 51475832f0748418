/**
 * The web console (docs/console.md): plain ES modules and CSS under
 * {@code static/console}, served by the service itself at {@code /console}. They hold no
 * data and call the API under {@code /api/v1} with the user's key, as any client does.
 */
@NullMarked
package dev.failfast.console;

import org.jspecify.annotations.NullMarked;
