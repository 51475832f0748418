package dev.failfast.job;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Resolves a DNS name to its addresses: the one lookup of an {@code http} job's attempt.
 * The guard judges what this returns and the client connects to those addresses, so no
 * second lookup can answer differently (DNS rebinding).
 */
@FunctionalInterface
interface HostResolver {

    /**
     * The addresses of {@code name}, never empty.
     * @throws UnknownHostException if the name does not resolve
     */
    List<InetAddress> resolve(String name) throws UnknownHostException;

}
