/**
 * The HTTP API under {@code /api/v1}: controllers, request and response records, problem
 * details (RFC 9457) and server-sent events. The only package that knows about HTTP; it
 * calls the engine and reads the store, never the other way round.
 */
@NullMarked
package dev.failfast.api;

import org.jspecify.annotations.NullMarked;
