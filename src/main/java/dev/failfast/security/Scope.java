package dev.failfast.security;

import java.util.Arrays;
import java.util.Optional;

/**
 * What a key or token lets its holder do. {@link #ADMIN} includes every other scope, and
 * sees every tenant.
 */
public enum Scope {

    /** Read batches and their jobs, list them, stream their events. */
    BATCHES_READ("batches:read"),
    /** Submit batches. */
    BATCHES_WRITE("batches:write"),
    /** Cancel batches. */
    BATCHES_CANCEL("batches:cancel"),
    /** Delete terminal batches. */
    BATCHES_DELETE("batches:delete"),
    /**
     * Register, list, rotate and delete the tenant's standing notification subscriptions.
     */
    SUBSCRIPTIONS_MANAGE("subscriptions:manage"),
    /**
     * Run the tenant's {@code remote:} jobs as a worker: register, claim, heartbeat,
     * report (docs/workers.md).
     */
    WORKERS_RUN("workers:run"),
    /**
     * Read the actuator endpoints other than health (metrics, Prometheus, info) on the
     * API port; a separate management port needs none.
     */
    METRICS_READ("metrics:read"),
    /** Manage API keys, and act on every tenant's batches. */
    ADMIN("admin");

    private final String value;

    Scope(String value) {
        this.value = value;
    }

    /** The scope as clients write it, such as {@code batches:read}. */
    public String value() {
        return value;
    }

    /** The Spring Security authority of this scope: {@code SCOPE_batches:read}. */
    String authority() {
        return "SCOPE_" + value;
    }

    /** The scope written {@code value}, if there is one. */
    public static Optional<Scope> of(String value) {
        return Arrays.stream(values()).filter(scope -> scope.value.equals(value)).findFirst();
    }

    @Override
    public String toString() {
        return value;
    }

}
