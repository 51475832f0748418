package dev.failfast.job;

import dev.failfast.settings.FailfastProperties;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Guards the {@code http} job type against server-side request forgery: a job may not
 * call the hosts and networks denied by {@code failfast.jobs.http.*} (by default
 * loopback, link-local and cloud metadata endpoints). Checked at submission for what the
 * URL itself says, and again before each request for every address the host resolves to.
 */
@Component
class HttpTargetGuard {

    private final List<String> allowedHosts;

    private final List<String> deniedHosts;

    private final List<Cidr> deniedNetworks;

    HttpTargetGuard(FailfastProperties properties) {
        FailfastProperties.Http http = properties.jobs().http();
        this.allowedHosts = lowerCase(http.allowedHosts());
        this.deniedHosts = lowerCase(http.deniedHosts());
        this.deniedNetworks = http.deniedNetworks().stream().map(Cidr::parse).toList();
    }

    /** Why the URL's host may not be called, judged without DNS; empty if it may. */
    Optional<String> checkHost(URI url) {
        String host = hostOf(url);
        if (deniedHosts.stream().anyMatch(pattern -> matches(pattern, host))) {
            return Optional.of("host " + host + " is denied");
        }
        if (!allowedHosts.isEmpty() && allowedHosts.stream().noneMatch(pattern -> matches(pattern, host))) {
            return Optional.of("host " + host + " is not in the allowed hosts");
        }
        if (isIpLiteral(host)) {
            return checkAddresses(host);
        }
        return Optional.empty();
    }

    /**
     * Why the URL may not be called, judged on every address its host resolves to; empty
     * if it may.
     */
    Optional<String> checkResolved(URI url) {
        return checkHost(url).or(() -> checkAddresses(hostOf(url)));
    }

    private Optional<String> checkAddresses(String host) {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        }
        catch (UnknownHostException e) {
            return Optional.empty(); // the request itself will fail with a clear I/O
                                     // error
        }
        for (InetAddress address : addresses) {
            for (Cidr network : deniedNetworks) {
                if (network.contains(address)) {
                    return Optional
                        .of("address " + address.getHostAddress() + " of " + host + " is in denied network " + network);
                }
            }
        }
        return Optional.empty();
    }

    private static String hostOf(URI url) {
        String host = url.getHost().toLowerCase(Locale.ROOT);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static boolean isIpLiteral(String host) {
        return host.matches("[0-9.]+") || host.contains(":");
    }

    private static boolean matches(String pattern, String host) {
        return pattern.startsWith("*.") ? host.endsWith(pattern.substring(1)) : host.equals(pattern);
    }

    private static List<String> lowerCase(List<String> hosts) {
        return hosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
    }

}
