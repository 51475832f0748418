package dev.failfast.api;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.springframework.stereotype.Component;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.JsonNodeFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * A SHA-256 over a request in canonical JSON (properties and map keys sorted), so that
 * the same request sent again with an {@code Idempotency-Key} is recognised even if its
 * fields come in another order or with other whitespace.
 */
@Component
class RequestFingerprint {

    private final JsonMapper canonical;

    RequestFingerprint(JsonMapper jsonMapper) {
        this.canonical = jsonMapper.rebuild()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
            .build();
    }

    String of(Object request) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(canonical.writeValueAsBytes(request));
            return HexFormat.of().formatHex(hash);
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

}
