package dev.failfast.notify;

import dev.failfast.job.InvalidJobParamsException.ParamError;
import dev.failfast.job.WebhookPost;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.node.ObjectNode;

/**
 * Checks a notification target before it is stored, as an {@code http} job is checked:
 * its URL under the tenant's SSRF policy, its headers (secret references the tenant may
 * send there), and its secret, or a default to sign with.
 */
@FunctionalInterface
public interface NotificationTargetCheck {

    /**
     * What is wrong with a target of {@code tenant}'s, each problem naming a field
     * ({@code url}, {@code secret}, {@code headers.<Name>}) relative to the target.
     * @param secret the target's own signing secret; null to sign with a default
     */
    List<ParamError> problems(String url, ObjectNode headers, @Nullable String secret, String tenant);

    /** The service's check: the {@code http} job's rules, and a secret to sign with. */
    static NotificationTargetCheck of(WebhookPost post, SigningSecrets secrets) {
        return (url, headers, secret, tenant) -> {
            List<ParamError> problems = new ArrayList<>(post.check(url, headers, tenant));
            if (secret != null && !WebhookSignatures.isValidSecret(secret)) {
                problems.add(new ParamError("secret",
                        "must be a Standard Webhooks secret: whsec_ and the base64 of 24 to 64 random bytes"));
            }
            if (secret == null && !secrets.hasDefault(tenant)) {
                problems.add(new ParamError("secret",
                        "is required: neither this tenant nor the service has a default signing secret"));
            }
            return problems;
        };
    }

}
