package dev.failfast.worker;

import java.time.Instant;
import java.util.List;
import java.util.SortedSet;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A registered worker, as callers see it.
 *
 * @param id what the worker calls itself by in every request
 * @param tenant the tenant of the credential that registered it: it claims only that
 * tenant's jobs
 * @param principal who registered it
 * @param name free text for people
 * @param names the job type names it serves, without the {@code remote:} prefix
 * @param capacity most attempts it holds at once
 * @param leaseExpiresAt when it is lost unless it heartbeats (or claims) before
 * @param held the attempts it holds now
 */
public record WorkerSession(UUID id, String tenant, String principal, @Nullable String name, SortedSet<String> names,
        int capacity, Instant registeredAt, Instant leaseExpiresAt, List<HeldAttempt> held) {

    public WorkerSession {
        held = List.copyOf(held);
    }

}
