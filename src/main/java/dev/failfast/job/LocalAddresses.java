package dev.failfast.job;

import java.net.InetAddress;

/**
 * This host's own addresses, which an {@code http} job must not call unless an operator
 * allows them: they reach the service itself, its management port and its sidecars.
 */
@FunctionalInterface
interface LocalAddresses {

    boolean isLocal(InetAddress address);

}
