/**
 * Outcome notifications (docs/notifications.md): the payload a batch's events send, the
 * Standard Webhooks signatures, and the worker that delivers what the store's outbox
 * recorded, at least once, with retries. Uses the store, the engine's events (to deliver
 * at once) and the {@code http} job's guarded client; the API uses it.
 */
@NullMarked
package dev.failfast.notify;

import org.jspecify.annotations.NullMarked;
