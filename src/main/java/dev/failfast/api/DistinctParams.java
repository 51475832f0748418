package dev.failfast.api;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Keeps one copy of equal params within a batch: jobs of one batch often have equal
 * params, and sharing them halves a pending job's heap.
 *
 * <p>
 * Params are told apart by a SHA-256 digest of a canonical form, not by
 * {@link ObjectNode#hashCode()}: that hash is a sum of the strings' hashes, which a
 * client can make collide (strings built from {@code "Aa"} and {@code "BB"} blocks), and
 * a {@code HashMap} of 100 000 colliding nodes scans a chain at every insert, on the
 * request thread, before anything is validated. The canonical form ignores the order of
 * an object's keys, as {@link ObjectNode#equals} does, and params are shared only when
 * they are also {@code equals}, so no two different params are ever merged.
 */
final class DistinctParams {

    private final Map<ByteBuffer, ObjectNode> byDigest = new HashMap<>();

    private final MessageDigest sha256 = newDigest();

    private final byte[] buffer = new byte[256];

    private int buffered;

    /** The first params equal to {@code params} seen by this instance, else these. */
    ObjectNode share(ObjectNode params) {
        write(params);
        flush();
        ByteBuffer digest = ByteBuffer.wrap(sha256.digest());
        ObjectNode seen = byDigest.putIfAbsent(digest, params);
        return seen != null && seen.equals(params) ? seen : params;
    }

    private void write(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<Map.Entry<String, JsonNode>> properties = new ArrayList<>(node.properties());
                properties.sort(Map.Entry.comparingByKey());
                tag('{', properties.size());
                for (Map.Entry<String, JsonNode> property : properties) {
                    string(property.getKey());
                    write(property.getValue());
                }
            }
            case ARRAY -> {
                tag('[', node.size());
                for (JsonNode element : node.values()) {
                    write(element);
                }
            }
            case STRING -> {
                tag('s', 0);
                string(node.stringValue());
            }
            // The node's class too: an IntNode never equals a LongNode of the same value.
            case NUMBER -> {
                tag('n', 0);
                string(node.getClass().getName());
                string(node.numberValue().toString());
            }
            case BOOLEAN -> tag(node.booleanValue() ? 't' : 'f', 0);
            case NULL -> tag('0', 0);
            case MISSING -> tag('m', 0);
            case BINARY -> {
                tag('b', 0);
                byte[] bytes = node.binaryValue();
                integer(bytes.length);
                flush();
                sha256.update(bytes);
            }
            case POJO -> {
                tag('p', 0);
                string(String.valueOf(node));
            }
        }
    }

    private void tag(char tag, int size) {
        put((byte) tag);
        integer(size);
    }

    /**
     * Length first, then every UTF-16 unit: exact for any string, lone surrogates
     * included.
     */
    private void string(String value) {
        integer(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            put((byte) (c >>> 8));
            put((byte) c);
        }
    }

    private void integer(int value) {
        put((byte) (value >>> 24));
        put((byte) (value >>> 16));
        put((byte) (value >>> 8));
        put((byte) value);
    }

    private void put(byte b) {
        if (buffered == buffer.length) {
            flush();
        }
        buffer[buffered++] = b;
    }

    private void flush() {
        sha256.update(buffer, 0, buffered);
        buffered = 0;
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every JDK has SHA-256", e);
        }
    }

}
