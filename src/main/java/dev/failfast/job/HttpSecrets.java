package dev.failfast.job;

import dev.failfast.batch.JobError;
import dev.failfast.settings.FailfastProperties;
import dev.failfast.settings.FailfastProperties.HttpSecret;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
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

    private static final String EVERY_TENANT = "*";

    private static final Logger log = LoggerFactory.getLogger(HttpSecrets.class);

    private final Map<String, HttpSecret> byName;

    private final Map<String, List<HostPattern>> hostsByName;

    private final String defaultTenant;

    HttpSecrets(FailfastProperties properties) {
        this.byName = Map.copyOf(properties.jobs().http().secrets());
        this.hostsByName = byName.entrySet()
            .stream()
            .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey,
                    entry -> entry.getValue().hosts().stream().map(HostPattern::of).toList()));
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
        String host;
        try {
            host = TargetHost.of(url).name();
        }
        catch (IllegalArgumentException e) {
            return Optional.of("secret '" + name + "' may not be sent to this URL's host");
        }
        if (hostsByName.getOrDefault(name, List.of()).stream().noneMatch(pattern -> pattern.matches(host))) {
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
     * @throws JobFailedException ({@value JobError#SECRET_UNAVAILABLE}) when it cannot be
     * read
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
        if (!HeaderValue.SENDABLE.matcher(value).matches()) {
            throw unavailable(name, "is not a valid header value (it holds a line break or control character)");
        }
        return value;
    }

    private boolean usableBy(HttpSecret secret, String tenant) {
        List<String> tenants = secret.tenants().isEmpty() ? List.of(defaultTenant) : secret.tenants();
        return tenants.contains(EVERY_TENANT) || tenants.contains(tenant);
    }

    private static JobFailedException unavailable(String name, String why) {
        return new JobFailedException(JobError.SECRET_UNAVAILABLE, "Secret '" + name + "' " + why);
    }

    private static String withoutTrailingLineBreak(String text) {
        if (text.endsWith("\r\n")) {
            return text.substring(0, text.length() - 2);
        }
        return text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    }

}
