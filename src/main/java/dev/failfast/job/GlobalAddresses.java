package dev.failfast.job;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Which addresses are globally routable unicast addresses, after the IANA IPv4 and IPv6
 * special-purpose address registries (RFC 6890 and its updates), and which IPv4 address
 * an IPv6 address stands for when it embeds one.
 */
final class GlobalAddresses {

    /**
     * IPv4 special-purpose blocks; the few inside them that IANA marks globally reachable
     * (PCP and TURN anycast in 192.0.0.0/24) are left out with their block: no HTTP
     * service lives there.
     */
    private static final List<Cidr> NOT_GLOBAL_IPV4 = cidrs("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
            "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16",
            "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4", "255.255.255.255/32");

    /** Global unicast IPv6 is 2000::/3; everything outside it is not global. */
    private static final Cidr GLOBAL_UNICAST_IPV6 = Cidr.parse("2000::/3");

    /**
     * Special-purpose blocks inside 2000::/3: IETF protocol assignments (Teredo,
     * benchmarking, ORCHID), documentation, SRv6 SIDs (5f00::/16, RFC 9602), and 6to4
     * (judged by the IPv4 address it embeds, see {@link #embeddedIpv4}).
     */
    private static final List<Cidr> NOT_GLOBAL_IPV6 = cidrs("2001::/23", "2001:db8::/32", "2002::/16", "3fff::/20",
            "5f00::/16");

    private static final Cidr IPV4_COMPATIBLE = ipv6Prefix(96);

    // Built from bytes: InetAddress turns the text ::ffff:a.b.c.d into an IPv4 address.
    private static final Cidr IPV4_MAPPED = ipv6Prefix(96, 10, 0xff, 11, 0xff);

    private static final Cidr IPV4_TRANSLATED = ipv6Prefix(96, 8, 0xff, 9, 0xff);

    private static final Cidr NAT64_WELL_KNOWN = Cidr.parse("64:ff9b::/96");

    private static final Cidr SIX_TO_FOUR = Cidr.parse("2002::/16");

    private GlobalAddresses() {
    }

    /** Whether {@code address} is a globally routable unicast address. */
    static boolean isGlobal(InetAddress address) {
        if (address instanceof Inet4Address) {
            return NOT_GLOBAL_IPV4.stream().noneMatch(network -> network.contains(address));
        }
        return GLOBAL_UNICAST_IPV6.contains(address)
                && NOT_GLOBAL_IPV6.stream().noneMatch(network -> network.contains(address));
    }

    /**
     * The IPv4 address an IPv6 address carries, where traffic to it ends up at that IPv4
     * address: IPv4-mapped ({@code ::ffff:a.b.c.d}, what a DNS AAAA record may hold),
     * IPv4-translated, IPv4-compatible ({@code ::a.b.c.d}), NAT64's well-known prefix
     * ({@code 64:ff9b::/96}, last 32 bits) and 6to4 ({@code 2002:AABB:CCDD::/48}).
     * <p>
     * The NAT64 local-use block {@code 64:ff9b:1::/48} is not decoded: an operator picks
     * a prefix of 32 to 96 bits inside it, and RFC 6052 puts the IPv4 address at
     * different bits for each length, so no one reading is right. It lies outside
     * 2000::/3 and so is not global; an operator who uses it lists it in
     * {@code allowed-networks}.
     */
    static Optional<Inet4Address> embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return Optional.empty();
        }
        byte[] bytes = address.getAddress();
        if (IPV4_MAPPED.contains(address) || IPV4_TRANSLATED.contains(address) || NAT64_WELL_KNOWN.contains(address)
                || (IPV4_COMPATIBLE.contains(address) && !isUnspecifiedOrLoopback(bytes))) {
            return Optional.of(ipv4(Arrays.copyOfRange(bytes, 12, 16)));
        }
        if (SIX_TO_FOUR.contains(address)) {
            return Optional.of(ipv4(Arrays.copyOfRange(bytes, 2, 6)));
        }
        return Optional.empty();
    }

    /** {@code ::} and {@code ::1} lie in ::/96 but are not IPv4-compatible addresses. */
    private static boolean isUnspecifiedOrLoopback(byte[] bytes) {
        for (int i = 0; i < 15; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return bytes[15] == 0 || bytes[15] == 1;
    }

    private static Inet4Address ipv4(byte[] bytes) {
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        }
        catch (UnknownHostException e) {
            throw new IllegalStateException("4 bytes are always an IPv4 address", e);
        }
    }

    /** An IPv6 prefix of zeros but for the given (index, value) byte pairs. */
    private static Cidr ipv6Prefix(int prefixLength, int... indexValuePairs) {
        byte[] bytes = new byte[16];
        for (int i = 0; i < indexValuePairs.length; i += 2) {
            bytes[indexValuePairs[i]] = (byte) indexValuePairs[i + 1];
        }
        return new Cidr(bytes, prefixLength);
    }

    private static List<Cidr> cidrs(String... networks) {
        return Stream.of(networks).map(Cidr::parse).toList();
    }

}
