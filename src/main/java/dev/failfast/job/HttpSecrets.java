package dev.failfast.job;

import dev.failfast.settings.FailfastProperties;
import dev.failfast.settings.FailfastProperties.HttpSecret;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The secrets the operator gives {@code http} jobs
 * ({@code failfast.jobs.http.secrets.*}): which tenant may send which secret to which
 * hosts, and each secret's current value.
 */
@Component
class HttpSecrets {

    /**
     * The error type of an attempt whose secret cannot be read or is no longer allowed.
     */
    static final String SECRET_UNAVAILABLE = "SECRET_UNAVAILABLE";

    private static final String EVERY_TENANT = "*";

    private static final Logger log = LoggerFactory.getLogger(HttpSecrets.class);

    private final Map<String, HttpSecret> byName;

    private final String defaultTenant;

    HttpSecrets(FailfastProperties properties) {
        this.byName = Map.copyOf(properties.jobs().http().secrets());
        this.defaultTenant = properties.security().defaultTenant();
    }

    /**
     * Why {@code tenant} may not send secret {@code name} to {@code url}; empty if it
     * may.
     */
    Optional<String> refusal(String name, String tenant, URI url) {
        HttpSecret secret = byName.get(name);
        if (secret == null || !usableBy(secret, tenant)) {
            // One answer for both, so that a tenant cannot learn which secrets exist.
            return Optional.of("no secret '" + name + "' is available to this tenant");
        }
        String host = hostOf(url);
        if (secret.hosts().stream().noneMatch(pattern -> matches(pattern.toLowerCase(Locale.ROOT), host))) {
            return Optional.of("secret '" + name + "' may not be sent to host " + host);
        }
        if (!"https".equalsIgnoreCase(url.getScheme()) && !secret.allowPlainHttp()) {
            return Optional.of("secret '" + name + "' may only be sent over https");
        }
        return Optional.empty();
    }

    /**
     * The secret's value now: read from its file at every call, so a rotated secret is
     * used by the next attempt.
     * @throws JobFailedException ({@value #SECRET_UNAVAILABLE}) when it cannot be read
     */
    String value(String name) throws JobFailedException {
        HttpSecret secret = byName.get(name);
        if (secret == null) {
            throw unavailable(name, "is not configured");
        }
        String value = secret.value();
        Path file = secret.file();
        if (file != null) {
            try {
                value = withoutTrailingLineBreak(Files.readString(file));
            }
            catch (IOException | RuntimeException e) {
                // The operator's problem: name the file here, never in the job's error.
                log.warn("Secret {} of http jobs cannot be read from {}: {}", name, file, e.getClass().getName());
                throw unavailable(name, "cannot be read");
            }
        }
        if (value == null || value.isEmpty()) {
            throw unavailable(name, "is empty");
        }
        if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
            throw unavailable(name, "is not a valid header value (it holds a line break)");
        }
        return value;
    }

    private boolean usableBy(HttpSecret secret, String tenant) {
        List<String> tenants = secret.tenants().isEmpty() ? List.of(defaultTenant) : secret.tenants();
        return tenants.contains(EVERY_TENANT) || tenants.contains(tenant);
    }

    private static JobFailedException unavailable(String name, String why) {
        return new JobFailedException(SECRET_UNAVAILABLE, "Secret '" + name + "' " + why);
    }

    private static String withoutTrailingLineBreak(String text) {
        if (text.endsWith("\r\n")) {
            return text.substring(0, text.length() - 2);
        }
        return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    }

    private static String hostOf(URI url) {
        String host = String.valueOf(url.getHost()).toLowerCase(Locale.ROOT);
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** As {@code allowed-hosts}: {@code *.example.com} matches subdomains only. */
    private static boolean matches(String pattern, String host) {
        return pattern.startsWith("*.") ? host.endsWith(pattern.substring(1)) : host.equals(pattern);
    }

}
