package dev.failfast.job;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The host of an {@code http} job's URL in the one form the guard judges and the client
 * connects to: a lower-case ASCII DNS name without a trailing dot, or an IP address.
 * Numeric hosts that resolvers read differently ({@code 2130706433}, {@code 0177.0.0.1},
 * {@code 0x7f.1}, {@code 127.1}) and IPv6 zone ids are refused rather than guessed at.
 *
 * @param name the host name, or the IP address as text
 * @param literal the address when the URL names one; null for a DNS name
 */
record TargetHost(String name, @Nullable InetAddress literal) {

    private static final Pattern DNS_NAME = Pattern.compile("[a-z0-9-]+(\\.[a-z0-9-]+)*");

    /**
     * A last label that is a number, in any base: the whole host is then an IPv4 literal.
     */
    private static final Pattern NUMERIC_LABEL = Pattern.compile("(?:[0-9]+|0x[0-9a-f]*)");

    private static final String OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";

    private static final Pattern DOTTED_QUAD = Pattern.compile(OCTET + "(?:\\." + OCTET + "){3}");

    /**
     * The host of {@code url}.
     * @throws IllegalArgumentException with the reason, if the host is refused
     */
    static TargetHost of(URI url) {
        String host = url.getHost();
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("must name a host");
        }
        if (host.startsWith("[")) {
            return ipv6(host.substring(1, host.length() - 1));
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".")) {
            name = name.substring(0, name.length() - 1);
        }
        if (!DNS_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(
                    "must name an ASCII host (punycode for international names) or an IP address");
        }
        String lastLabel = name.substring(name.lastIndexOf('.') + 1);
        if (NUMERIC_LABEL.matcher(lastLabel).matches()) {
            if (!DOTTED_QUAD.matcher(name).matches()) {
                throw new IllegalArgumentException(
                        "has a numeric host that is not four decimal numbers a.b.c.d (without leading zeros)");
            }
            Inet4Address address = Inet4Address.ofLiteral(name);
            return new TargetHost(address.getHostAddress(), address);
        }
        return new TargetHost(name, null);
    }

    private static TargetHost ipv6(String literal) {
        if (literal.contains("%")) {
            throw new IllegalArgumentException("must not name an IPv6 zone");
        }
        InetAddress address;
        try {
            // An IPv4-mapped literal (::ffff:a.b.c.d) comes back as the IPv4 address.
            address = InetAddress.ofLiteral(literal);
        }
        catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("has an invalid IPv6 address", e);
        }
        return new TargetHost(address.getHostAddress(), address);
    }

}
