package dev.failfast.job;

import java.net.InetAddress;
import java.util.Locale;

/**
 * A host as an operator writes it in {@code allowed-hosts}, {@code denied-hosts} or a
 * secret's {@code hosts}, matched against a {@link TargetHost#name()}: an exact name,
 * {@code *.example.com} for its subdomains only, or an IP address (IPv6 with or without
 * brackets). Written in the form {@link TargetHost} gives names (lower case, no trailing
 * dot, IP addresses as {@link InetAddress#getHostAddress()}), so that one host has one
 * spelling on both sides.
 */
record HostPattern(String pattern) {

    static HostPattern of(String written) {
        String pattern = written.trim().toLowerCase(Locale.ROOT);
        if (pattern.endsWith(".")) {
            pattern = pattern.substring(0, pattern.length() - 1);
        }
        if (pattern.startsWith("[") && pattern.endsWith("]")) {
            pattern = pattern.substring(1, pattern.length() - 1);
        }
        if (pattern.indexOf(':') >= 0) {
            try {
                pattern = InetAddress.ofLiteral(pattern).getHostAddress();
            }
            catch (IllegalArgumentException e) {
                // Not an address: matched as written, which no host name equals.
            }
        }
        return new HostPattern(pattern);
    }

    /** Whether {@code host}, a {@link TargetHost#name()}, matches. */
    boolean matches(String host) {
        return pattern.startsWith("*.") ? host.endsWith(pattern.substring(1)) : host.equals(pattern);
    }

}
