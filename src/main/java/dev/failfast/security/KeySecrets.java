package dev.failfast.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Makes API keys and hashes them. A key is {@value #PREFIX} followed by 256 random bits
 * (base64url): the prefix lets secret scanners recognise a leaked key. The service keeps
 * only a SHA-256 hash of it; a slow password hash would add nothing for a random value
 * this long, which cannot be guessed, and would slow down every request.
 */
final class KeySecrets {

    static final String PREFIX = "ffk_";

    /** Characters of a key kept to tell keys apart: the prefix and four more. */
    static final int SHOWN_CHARACTERS = PREFIX.length() + 4;

    private static final SecureRandom RANDOM = new SecureRandom();

    private KeySecrets() {
    }

    static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String secret) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java runtime has SHA-256", e);
        }
    }

    /**
     * What of {@code secret} may be shown: the first characters of a key the service made
     * (its random part is long enough to spare them), but of a secret an operator chose,
     * which may be shorter or less random, only a fingerprint of its hash.
     */
    static String shown(String secret) {
        if (secret.startsWith(PREFIX) && secret.length() > SHOWN_CHARACTERS * 4) {
            return secret.substring(0, SHOWN_CHARACTERS);
        }
        return "sha256:" + hash(secret).substring(0, 8);
    }

}
