package dev.failfast.job;

import dev.failfast.batch.JobError;
import dev.failfast.settings.FailfastProperties;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * Guards the {@code http} job type against server-side request forgery (docs/security.md,
 * "SSRF"). A job may call a globally routable unicast address on port 80 or 443; an
 * operator opens more with {@code failfast.jobs.http.allowed-networks} and
 * {@code allowed-ports}, globally or per tenant, and closes hosts and networks with
 * {@code denied-hosts} and {@code denied-networks}, which always win. This host's own
 * (non-loopback) addresses stay closed even inside an allowed network; only an
 * allowed-networks entry of exactly that address opens one.
 *
 * <p>
 * {@link #checkUrl} judges what the URL itself says, at submission and without DNS.
 * {@link #resolve} is the check of each attempt: it resolves the name once, judges every
 * address, and returns the addresses the client then connects to, so what was checked is
 * what is connected to.
 */
@Component
class HttpTargetGuard {

    private final List<HostPattern> allowedHosts;

    private final List<HostPattern> deniedHosts;

    private final List<Cidr> deniedNetworks;

    private final Policy globalPolicy;

    private final Map<String, Policy> tenantPolicies;

    private final HostResolver resolver;

    private final LocalAddresses localAddresses;

    /** The networks and ports one tenant may call beyond the global rules. */
    private record Policy(List<Cidr> allowedNetworks, List<PortRange> allowedPorts) {

        Policy plus(FailfastProperties.HttpTenant tenant) {
            return new Policy(concat(allowedNetworks, networks(tenant.allowedNetworks())),
                    concat(allowedPorts, ports(tenant.allowedPorts())));
        }

    }

    HttpTargetGuard(FailfastProperties properties, HostResolver resolver, LocalAddresses localAddresses) {
        FailfastProperties.Http http = properties.jobs().http();
        this.allowedHosts = http.allowedHosts().stream().map(HostPattern::of).toList();
        this.deniedHosts = http.deniedHosts().stream().map(HostPattern::of).toList();
        this.deniedNetworks = networks(http.deniedNetworks());
        this.globalPolicy = new Policy(networks(http.allowedNetworks()), ports(http.allowedPorts()));
        this.tenantPolicies = http.tenants()
            .entrySet()
            .stream()
            .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, entry -> globalPolicy.plus(entry.getValue())));
        this.resolver = resolver;
        this.localAddresses = localAddresses;
    }

    /**
     * Why {@code tenant}'s job may not call {@code url}, judged on what the URL says
     * (scheme, host, port; the address if the host is an IP literal), without DNS; empty
     * if it may.
     */
    Optional<String> checkUrl(URI url, String tenant) {
        TargetHost host;
        try {
            host = TargetHost.of(url);
        }
        catch (IllegalArgumentException e) {
            return Optional.of(String.valueOf(e.getMessage()));
        }
        return checkName(host.name()).or(() -> checkPort(url, policy(tenant)))
            .or(() -> host.literal() == null ? Optional.empty() : checkAddress(host.literal(), tenant));
    }

    /**
     * Resolves the URL's host once and judges it and every address it resolves to.
     * @return the addresses to connect to, every one of them allowed, in the resolver's
     * order
     * @throws JobFailedException {@code TARGET_DENIED} if the URL or any of its addresses
     * is denied, or the host does not resolve
     */
    List<InetAddress> resolve(URI url, String tenant) throws JobFailedException {
        Optional<String> denied = checkUrl(url, tenant);
        if (denied.isPresent()) {
            throw new JobFailedException(JobError.TARGET_DENIED, denied.get());
        }
        TargetHost host = TargetHost.of(url);
        if (host.literal() != null) {
            return List.of(host.literal());
        }
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(host.name());
        }
        catch (UnknownHostException e) {
            addresses = List.of();
        }
        if (addresses.isEmpty()) {
            throw new JobFailedException(JobError.TARGET_DENIED, "host " + host.name() + " does not resolve");
        }
        // One denied address refuses the whole host: a name that mixes allowed and denied
        // addresses is either misconfigured or an attack.
        for (InetAddress address : addresses) {
            Optional<String> why = checkAddress(address, tenant);
            if (why.isPresent()) {
                throw new JobFailedException(JobError.TARGET_DENIED,
                        why.get() + " (resolved from " + host.name() + ")");
            }
        }
        return List.copyOf(addresses);
    }

    /**
     * Why {@code tenant}'s job may not connect to {@code address}; empty if it may. An
     * IPv6 address that embeds an IPv4 address (mapped, compatible, NAT64, 6to4) is
     * judged as that IPv4 address, and is denied if either form is in a denied network.
     */
    Optional<String> checkAddress(InetAddress address, String tenant) {
        Optional<Inet4Address> embedded = GlobalAddresses.embeddedIpv4(address);
        InetAddress destination = embedded.<InetAddress>map(v4 -> v4).orElse(address);
        String shown = address.getHostAddress() + embedded.map(v4 -> " (IPv4 " + v4.getHostAddress() + ")").orElse("");
        for (Cidr network : deniedNetworks) {
            if (network.contains(address) || network.contains(destination)) {
                return Optional.of("address " + shown + " is in denied network " + network);
            }
        }
        List<Cidr> allowed = policy(tenant).allowedNetworks();
        boolean local = localAddresses.isLocal(destination);
        // The pod's own address reaches Failfast itself, its management port and its
        // sidecars: a broad allowed network (10.0.0.0/8) does not open it, only an entry
        // of that one address. Loopback is opened by an allowed network as any other
        // address: that is an explicit choice (tests make it to reach their servers).
        if (local && !destination.isLoopbackAddress()
                && allowed.stream().noneMatch(network -> network.isSingle(destination))) {
            return Optional.of("address " + shown + " is one of this service's own addresses"
                    + " (only an allowed-networks entry of exactly this address opens it)");
        }
        if (allowed.stream().anyMatch(network -> network.contains(destination))) {
            return Optional.empty();
        }
        if (local) {
            return Optional.of("address " + shown + " is one of this service's own addresses");
        }
        if (!GlobalAddresses.isGlobal(destination)) {
            return Optional.of("address " + shown + " is not a globally routable address"
                    + " (an operator may allow its network with failfast.jobs.http.allowed-networks)");
        }
        return Optional.empty();
    }

    private Optional<String> checkName(String host) {
        if (deniedHosts.stream().anyMatch(pattern -> pattern.matches(host))) {
            return Optional.of("host " + host + " is denied");
        }
        if (!allowedHosts.isEmpty() && allowedHosts.stream().noneMatch(pattern -> pattern.matches(host))) {
            return Optional.of("host " + host + " is not in the allowed hosts");
        }
        return Optional.empty();
    }

    private static Optional<String> checkPort(URI url, Policy policy) {
        int port = portOf(url);
        if (policy.allowedPorts().stream().noneMatch(range -> range.contains(port))) {
            return Optional.of("port " + port + " is not allowed"
                    + " (an operator may allow it with failfast.jobs.http.allowed-ports)");
        }
        return Optional.empty();
    }

    /** The URL's port, or its scheme's default. */
    static int portOf(URI url) {
        if (url.getPort() >= 0) {
            return url.getPort();
        }
        return "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }

    private Policy policy(String tenant) {
        return tenantPolicies.getOrDefault(tenant, globalPolicy);
    }

    private static List<Cidr> networks(List<String> cidrs) {
        return cidrs.stream().map(String::trim).map(Cidr::parse).toList();
    }

    private static List<PortRange> ports(List<String> ranges) {
        return ranges.stream().map(PortRange::parse).toList();
    }

    private static <T> List<T> concat(List<T> first, List<T> second) {
        List<T> all = new ArrayList<>(first);
        all.addAll(second);
        return List.copyOf(all);
    }

}
