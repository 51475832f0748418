package dev.failfast.job;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * What of an {@code http} job may leave the service. Credentials travel in header values
 * and in URLs (query strings, {@code user:password@}); whatever shows a job's params or
 * error messages (the API, its events, logs) gets them as {@value #MASK}.
 *
 * <p>
 * A header is sensitive when its name (ignoring case) is {@code Authorization},
 * {@code Proxy-Authorization}, {@code Cookie}, {@code Set-Cookie} or {@code X-Api-Key},
 * contains one of {@link #SENSITIVE_PARTS} (so {@code X-Auth-Token} and
 * {@code X-Client-Secret} are), or is listed in the job's {@code sensitiveHeaders}. Every
 * query parameter's value is masked, whatever its name: no rule tells which ones are
 * credentials.
 */
final class HttpRedaction {

    static final String MASK = "***";

    static final Set<String> SENSITIVE_NAMES = Set.of("authorization", "proxy-authorization", "cookie", "set-cookie",
            "x-api-key");

    static final List<String> SENSITIVE_PARTS = List.of("auth", "token", "secret", "passw", "api-key", "apikey",
            "api_key", "cookie", "session", "credential", "signature");

    /**
     * Shorter values are not masked inside free text, where they would hide ordinary
     * words; a credential is longer.
     */
    static final int MIN_HIDDEN_LENGTH = 4;

    /** A URL within free text. */
    private static final Pattern URL_IN_TEXT = Pattern.compile("(?i)\\b[a-z][a-z0-9+.-]*://[^\\s\"'<>]+");

    /** The parts of a secret reference around the secret, shown masked. */
    private static final List<String> AFFIXES = List.of("prefix", "suffix");

    private HttpRedaction() {
    }

    static boolean isSensitive(String header, @Nullable Collection<String> alsoSensitive) {
        String name = header.toLowerCase(Locale.ROOT);
        if (SENSITIVE_NAMES.contains(name) || SENSITIVE_PARTS.stream().anyMatch(name::contains)) {
            return true;
        }
        return alsoSensitive != null && alsoSensitive.stream().anyMatch(header::equalsIgnoreCase);
    }

    /**
     * The params as they may be shown: the values of sensitive literal headers and the
     * URL's user info, query values and fragment masked; secret references are shown with
     * their name and with their {@code prefix} and {@code suffix} masked (they may hold
     * part of a credential). Works on any JSON, even params that no longer parse; returns
     * {@code params} itself when nothing needs masking.
     */
    static ObjectNode redactParams(ObjectNode params) {
        JsonNode url = params.get("url");
        String givenUrl = url != null && url.isString() ? url.stringValue() : null;
        String shownUrl = givenUrl != null ? redactUrl(givenUrl) : null;
        JsonNode headers = params.get("headers");
        List<String> maskedHeaders = new ArrayList<>();
        if (headers != null && headers.isObject()) {
            Set<String> alsoSensitive = declaredSensitive(params.get("sensitiveHeaders"));
            for (Map.Entry<String, JsonNode> header : headers.properties()) {
                if (header.getValue().isObject()) {
                    if (hasAffix(header.getValue())) {
                        maskedHeaders.add(header.getKey());
                    }
                }
                else if (isSensitive(header.getKey(), alsoSensitive)) {
                    maskedHeaders.add(header.getKey());
                }
            }
        }
        boolean urlChanged = shownUrl != null && !shownUrl.equals(givenUrl);
        if (!urlChanged && maskedHeaders.isEmpty()) {
            return params;
        }
        ObjectNode shown = params.deepCopy();
        if (shownUrl != null && urlChanged) {
            shown.put("url", shownUrl);
        }
        if (!maskedHeaders.isEmpty()) {
            ObjectNode shownHeaders = (ObjectNode) shown.get("headers");
            for (String name : maskedHeaders) {
                if (shownHeaders.get(name) instanceof ObjectNode reference) {
                    // A prefix or suffix may hold part of the credential ("Basic user:").
                    AFFIXES.stream().filter(reference::has).forEach(affix -> reference.put(affix, MASK));
                }
                else {
                    shownHeaders.put(name, MASK);
                }
            }
        }
        return shown;
    }

    /**
     * The URL with its user info, each query value and its fragment masked:
     * {@code https://***@host/p?token=***&page=***}. Works on text that is no valid URI.
     */
    static String redactUrl(String url) {
        int schemeEnd = url.indexOf("://");
        int authorityStart = schemeEnd < 0 ? 0 : schemeEnd + 3;
        int fragmentStart = url.indexOf('#', authorityStart);
        int end = fragmentStart < 0 ? url.length() : fragmentStart;
        int queryStart = url.indexOf('?', authorityStart);
        if (queryStart > end) {
            queryStart = -1;
        }
        int pathEnd = queryStart < 0 ? end : queryStart;
        StringBuilder shown = new StringBuilder(url.length());
        shown.append(url, 0, authorityStart);
        int authorityEnd = authorityStart;
        while (authorityEnd < pathEnd && url.charAt(authorityEnd) != '/') {
            authorityEnd++;
        }
        int at = url.lastIndexOf('@', authorityEnd - 1);
        if (schemeEnd >= 0 && at >= authorityStart) {
            shown.append(MASK).append(url, at, pathEnd);
        }
        else {
            shown.append(url, authorityStart, pathEnd);
        }
        if (queryStart >= 0) {
            shown.append('?').append(redactQuery(url.substring(queryStart + 1, end)));
        }
        if (fragmentStart >= 0) {
            shown.append('#').append(fragmentStart + 1 < url.length() ? MASK : "");
        }
        return shown.toString();
    }

    /**
     * The URL as error messages name it: scheme, host, port and path, without user info,
     * query or fragment. {@link #scrub} renders URLs in library messages the same way
     * ({@link #forMessage(String)}); {@link #redactUrl} is for params, where the masked
     * query still tells the client which parameters its job sends.
     */
    static String forMessage(URI url) {
        int port = url.getPort();
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        return url.getScheme() + "://" + url.getHost() + (port < 0 ? "" : ":" + port) + path;
    }

    /**
     * As {@link #forMessage(URI)}, on text that may be no valid URI: without user info,
     * query and fragment.
     */
    static String forMessage(String url) {
        int schemeEnd = url.indexOf("://");
        int authorityStart = schemeEnd < 0 ? 0 : schemeEnd + 3;
        int end = authorityStart;
        while (end < url.length() && url.charAt(end) != '?' && url.charAt(end) != '#') {
            end++;
        }
        int authorityEnd = authorityStart;
        while (authorityEnd < end && url.charAt(authorityEnd) != '/') {
            authorityEnd++;
        }
        int at = url.lastIndexOf('@', authorityEnd - 1);
        if (schemeEnd >= 0 && at >= authorityStart) {
            return url.substring(0, authorityStart) + url.substring(at + 1, end);
        }
        return url.substring(0, end);
    }

    /**
     * The values with the forms a target may echo them in as well: Base64 (standard and
     * URL-safe, with and without padding), percent-encoded and JSON-escaped.
     */
    static List<String> withEncodings(Collection<String> values) {
        Set<String> all = new LinkedHashSet<>();
        for (String value : values) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            all.add(value);
            all.add(Base64.getEncoder().encodeToString(bytes));
            all.add(Base64.getEncoder().withoutPadding().encodeToString(bytes));
            all.add(Base64.getUrlEncoder().encodeToString(bytes));
            all.add(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
            String percent = URLEncoder.encode(value, StandardCharsets.UTF_8);
            all.add(percent);
            all.add(percent.replace("+", "%20"));
            all.add(value.replace("\\", "\\\\").replace("\"", "\\\"").replace("/", "\\/"));
            all.add(value.replace("\\", "\\\\").replace("\"", "\\\""));
        }
        return List.copyOf(all);
    }

    /**
     * The parts of a URL no message may contain: its user info and each query value, as
     * written and decoded.
     */
    static List<String> hiddenParts(URI url) {
        List<String> parts = new ArrayList<>();
        if (url.getRawUserInfo() != null) {
            parts.add(url.getRawUserInfo());
            parts.add(String.valueOf(url.getUserInfo()));
        }
        String query = url.getRawQuery();
        if (query != null) {
            parts.add(query);
            for (String pair : query.split("&", -1)) {
                String value = pair.substring(pair.indexOf('=') + 1);
                parts.add(value);
                try {
                    parts.add(URLDecoder.decode(value, StandardCharsets.UTF_8));
                }
                catch (IllegalArgumentException ignored) {
                    // Not decodable: only its raw form can appear.
                }
            }
        }
        return parts;
    }

    /**
     * The message with every {@code hidden} value (of at least
     * {@value #MIN_HIDDEN_LENGTH} characters) masked, and every URL in it shown as by
     * {@link #forMessage(String)}, as the messages the handler writes show them. For
     * messages of exceptions thrown by HTTP clients, which may quote the request's URL or
     * headers.
     */
    static String scrub(String message, Collection<String> hidden) {
        Matcher urls = URL_IN_TEXT.matcher(mask(message, hidden, false));
        return urls.replaceAll(match -> Matcher.quoteReplacement(forMessage(match.group())));
    }

    /**
     * The text with every {@code hidden} value (of at least {@value #MIN_HIDDEN_LENGTH}
     * characters) masked; URLs in it are left as they are. For what a target answered,
     * which is the job's result and not a message: its own URLs are the client's to see.
     * @param cut whether the text was cut short, so that it may end with the start of a
     * hidden value, which is masked too
     */
    static String mask(String text, Collection<String> hidden, boolean cut) {
        String masked = text;
        List<String> longestFirst = hidden.stream()
            .filter(value -> value.length() >= MIN_HIDDEN_LENGTH)
            .distinct()
            .sorted(Comparator.comparingInt(String::length).reversed())
            .toList();
        for (String value : longestFirst) {
            masked = masked.replace(value, MASK);
        }
        if (cut) {
            int longestTail = 0;
            for (String value : longestFirst) {
                for (int length = value.length() - 1; length > longestTail; length--) {
                    if (masked.endsWith(value.substring(0, length))) {
                        longestTail = length;
                    }
                }
            }
            if (longestTail > 0) {
                return masked.substring(0, masked.length() - longestTail) + MASK;
            }
        }
        return masked;
    }

    private static String redactQuery(String query) {
        if (query.isEmpty()) {
            return query;
        }
        StringBuilder shown = new StringBuilder();
        for (String pair : query.split("&", -1)) {
            if (!shown.isEmpty()) {
                shown.append('&');
            }
            int equals = pair.indexOf('=');
            shown.append(equals < 0 ? (pair.isEmpty() ? "" : MASK) : pair.substring(0, equals + 1) + MASK);
        }
        return shown.toString();
    }

    private static boolean hasAffix(JsonNode reference) {
        return AFFIXES.stream().anyMatch(reference::has);
    }

    private static Set<String> declaredSensitive(@Nullable JsonNode names) {
        Set<String> declared = new HashSet<>();
        if (names != null && names.isArray()) {
            names.valueStream().filter(JsonNode::isString).forEach(name -> declared.add(name.stringValue()));
        }
        return declared;
    }

}
