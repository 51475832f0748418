package dev.failfast.job;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The addresses of this host's network interfaces, read again at most once a minute so
 * that an address added later (a pod's IP arriving after start) is known too.
 */
@Component
class InterfaceAddresses implements LocalAddresses {

    private static final long REFRESH_NANOS = 60_000_000_000L;

    private static final Logger log = LoggerFactory.getLogger(InterfaceAddresses.class);

    private record Snapshot(Set<InetAddress> addresses, long readAt) {
    }

    private volatile Snapshot snapshot = read(Set.of());

    @Override
    public boolean isLocal(InetAddress address) {
        Snapshot current = snapshot;
        if (System.nanoTime() - current.readAt() > REFRESH_NANOS) {
            current = read(current.addresses());
            snapshot = current;
        }
        // Compared without IPv6 scope ids, which the interface list carries.
        return current.addresses().contains(withoutScope(address));
    }

    private static Snapshot read(Set<InetAddress> previous) {
        Set<InetAddress> addresses;
        try {
            addresses = NetworkInterface.networkInterfaces()
                .flatMap(NetworkInterface::inetAddresses)
                .map(InterfaceAddresses::withoutScope)
                .collect(Collectors.toUnmodifiableSet());
        }
        catch (SocketException e) {
            log.warn("Could not list this host's network interfaces; keeping the {} addresses known so far",
                    previous.size(), e);
            addresses = previous;
        }
        return new Snapshot(addresses, System.nanoTime());
    }

    private static InetAddress withoutScope(InetAddress address) {
        try {
            return InetAddress.getByAddress(address.getAddress());
        }
        catch (UnknownHostException e) {
            throw new IllegalStateException("an address's own bytes are always an address", e);
        }
    }

}
