package dev.failfast.worker;

/**
 * The tenant has {@code failfast.workers.max-workers-per-tenant} live workers already.
 */
public class TooManyWorkersException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String tenant;

    public TooManyWorkersException(String tenant, int max) {
        super("Tenant " + tenant + " has " + max + " live workers, the most it may have");
        this.tenant = tenant;
    }

    public String tenant() {
        return tenant;
    }

}
