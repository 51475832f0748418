package dev.failfast.store;

/**
 * For the in-memory store, which only its own process can see: there is nothing to share.
 */
public final class NoInstanceLease implements InstanceLease {

    @Override
    public void acquire() {
    }

    @Override
    public boolean renew() {
        return true;
    }

    @Override
    public void release() {
    }

}
