package dev.failfast.worker;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A heartbeat's answer: the renewed lease, and what the worker should stop (a fallback
 * for a cancel its stream missed).
 *
 * @param cancelled the attempts it holds that are cancelled
 * @param unknown attempts it reported progress for but no longer holds
 */
public record Heartbeat(Instant leaseExpiresAt, List<CancelNotice> cancelled, List<UUID> unknown) {

    public Heartbeat {
        cancelled = List.copyOf(cancelled);
        unknown = List.copyOf(unknown);
    }

}
