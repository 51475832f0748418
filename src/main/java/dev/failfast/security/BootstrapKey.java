package dev.failfast.security;

import dev.failfast.settings.FailfastProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;

/**
 * Gives a new deployment its first admin key, before the server takes requests: the
 * operator's {@code failfast.security.bootstrap-key} (created, or kept), or else, when no
 * key exists yet, a generated one written to {@code failfast.security.generated-key-file}
 * (readable by the service user only). The log says where the key is, never the key.
 */
final class BootstrapKey implements SmartInitializingSingleton {

    static final String NAME = "bootstrap";

    private static final Logger log = LoggerFactory.getLogger(BootstrapKey.class);

    private final ApiKeys keys;

    private final FailfastProperties.Security settings;

    BootstrapKey(ApiKeys keys, FailfastProperties.Security settings) {
        this.keys = keys;
        this.settings = settings;
    }

    @Override
    public void afterSingletonsInstantiated() {
        String configured = settings.bootstrapKeyIfSet();
        if (configured != null) {
            ApiKey key = keys.ensure(configured, NAME, settings.defaultTenant(), NAME);
            if (key.revokedAt() != null) {
                log.warn("failfast.security.bootstrap-key names API key {}, which was revoked at {}: it stays revoked. "
                        + "Remove the setting, or set a new key", key.id(), key.revokedAt());
            }
            else {
                log.info("Bootstrap admin key {} of tenant {} is active", key.id(), key.tenant());
            }
            return;
        }
        // With authentication off nobody needs a key; one generated now would lie in a
        // file
        // for nothing.
        if (settings.enabled() && keys.noneExist()) {
            // The file first: a key stored that no file holds would lock the admin out,
            // as no key would be generated again.
            String secret = KeySecrets.generate();
            Path file = write(settings.generatedKeyFile(), secret);
            ApiKey generated;
            try {
                generated = keys.ensure(secret, "generated", settings.defaultTenant(), NAME);
            }
            catch (RuntimeException e) {
                deleteQuietly(file);
                throw e;
            }
            log.warn(
                    "No API key existed and failfast.security.bootstrap-key is not set: generated admin key {} of "
                            + "tenant {} and wrote it to {} (readable by this user only). Send it as "
                            + "'Authorization: Bearer <key>', create keys for your teams with it, then revoke it",
                    generated.id(), generated.tenant(), file.toAbsolutePath());
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        }
        catch (IOException e) {
            log.warn("Could not delete {}, which holds a key that was never stored", file, e);
        }
    }

    /** Writes the key to a new file only its owner can read. */
    private static Path write(Path file, String secret) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.deleteIfExists(file); // a key of an earlier database, useless now
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.createFile(file,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            else {
                Files.createFile(file);
            }
            Files.writeString(file, secret + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
            return file;
        }
        catch (FileAlreadyExistsException e) {
            throw new IllegalStateException("Another process created " + file + " meanwhile", e);
        }
        catch (IOException e) {
            throw new UncheckedIOException("Could not write the generated admin key to " + file
                    + "; set failfast.security.generated-key-file, or failfast.security.bootstrap-key", e);
        }
    }

}
