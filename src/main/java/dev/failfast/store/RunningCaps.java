package dev.failfast.store;

import java.util.Map;

/**
 * The most jobs of each tenant that may run at once over the whole cluster, as claims
 * honour them ({@code failfast.tenants.*.max-running-jobs}).
 *
 * @param byTenant the caps of named tenants
 * @param others the cap of every other tenant
 */
public record RunningCaps(Map<String, Integer> byTenant, int others) {

    /** A cap that limits nothing: the tenant may use every thread of every replica. */
    public static final int NONE = Integer.MAX_VALUE;

    /** No tenant has a cap. */
    public static final RunningCaps UNLIMITED = new RunningCaps(Map.of(), NONE);

    public RunningCaps {
        byTenant = Map.copyOf(byTenant);
    }

    /** The tenant's cap, {@link #NONE} for none. */
    public int of(String tenant) {
        Integer cap = byTenant.get(tenant);
        return cap != null ? cap : others;
    }

    String[] tenants() {
        return byTenant.keySet().toArray(String[]::new);
    }

    /** The caps of {@link #tenants()}, in the same order. */
    Integer[] caps(String[] tenants) {
        Integer[] caps = new Integer[tenants.length];
        for (int i = 0; i < tenants.length; i++) {
            caps[i] = of(tenants[i]);
        }
        return caps;
    }

}
