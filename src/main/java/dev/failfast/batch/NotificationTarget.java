package dev.failfast.batch;

import java.net.URI;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * Where a batch's notifications go: a webhook URL and the events it wants.
 *
 * @param url an absolute http or https URL, under the {@code http} job's SSRF policy
 * @param events the events sent there
 * @param secret the Standard Webhooks signing secret ({@code whsec_} + base64) for this
 * target; null to sign with the tenant's or the service's default. Write-only: it is
 * stored to sign, never shown
 * @param headers more request headers, as an {@code http} job's: a string, or a reference
 * to an operator's secret ({@code {"secretRef": "<name>"}}) resolved at each delivery
 */
public record NotificationTarget(URI url, Set<NotificationEvent> events, @Nullable String secret, ObjectNode headers) {

    public NotificationTarget {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(headers, "headers");
        if (events.isEmpty()) {
            throw new IllegalArgumentException("a notification target wants at least one event");
        }
        events = Set.copyOf(EnumSet.copyOf(events));
    }

    public boolean wants(NotificationEvent event) {
        return events.contains(event);
    }

    /** Without the secret: a target is printed in logs and test reports. */
    @Override
    public String toString() {
        // Nor the URL's path and query, which may carry a token.
        return "NotificationTarget[host=" + url.getHost() + ", events=" + events + ", secret="
                + (secret == null ? "none" : "***") + ", headers=" + headers.propertyNames() + "]";
    }

}
