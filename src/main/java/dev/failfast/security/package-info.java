/**
 * Who is calling: API keys and OAuth2 bearer tokens, the scopes each operation needs, and
 * the {@link dev.failfast.batch.Caller} every request acts as.
 */
@NullMarked
package dev.failfast.security;

import org.jspecify.annotations.NullMarked;
