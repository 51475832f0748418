package dev.failfast.testing;

/**
 * The admin key tests give the service as {@code failfast.security.bootstrap-key}, and
 * send as {@code Authorization: Bearer}, as a deployment's operator would.
 */
public final class TestKeys {

    /** An admin key of tenant {@code default}. */
    public static final String ADMIN = "test-bootstrap-admin-key-0123456789abcdefghij";

    /** The property that makes the service create {@link #ADMIN}. */
    public static final String BOOTSTRAP_PROPERTY = "failfast.security.bootstrap-key=" + ADMIN;

    private TestKeys() {
    }

}
