package dev.failfast.notify;

import dev.failfast.settings.FailfastProperties;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256 over
 * {@code <webhook-id>.<webhook-timestamp>.<body>}, keyed with the base64 part of a
 * {@code whsec_} secret, sent as {@code v1,<base64>}; several signatures are separated by
 * spaces, so that a receiver accepts a delivery signed by any secret it knows.
 */
public final class WebhookSignatures {

    /** The prefix of a signing secret. */
    public static final String PREFIX = "whsec_";

    private static final SecureRandom RANDOM = new SecureRandom();

    private WebhookSignatures() {
    }

    /** Whether {@code secret} is {@code whsec_} and the base64 of 24 to 64 bytes. */
    public static boolean isValidSecret(String secret) {
        return FailfastProperties.Notifications.isSigningSecret(secret);
    }

    /** A new random secret: 32 bytes, as {@code whsec_<base64>}. */
    public static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** The {@code webhook-signature} header: one {@code v1,} signature per secret. */
    static String header(List<String> secrets, String id, long timestamp, byte[] body) {
        return secrets.stream().map(secret -> sign(secret, id, timestamp, body)).collect(Collectors.joining(" "));
    }

    /** One {@code v1,<base64>} signature. */
    static String sign(String secret, String id, long timestamp, byte[] body) {
        if (!isValidSecret(secret)) {
            throw new IllegalArgumentException("not a whsec_ signing secret");
        }
        byte[] key = Base64.getDecoder().decode(secret.substring(PREFIX.length()));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

}
