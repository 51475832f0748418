package dev.failfast.job;

import java.net.URI;

/**
 * A URL as error messages may show it: {@code scheme://host[:port]/path}, never its query
 * string or user info, which may hold credentials.
 */
final class SafeUrl {

    private SafeUrl() {
    }

    static String of(URI url) {
        StringBuilder shown = new StringBuilder().append(url.getScheme()).append("://").append(url.getHost());
        if (url.getPort() >= 0) {
            shown.append(':').append(url.getPort());
        }
        String path = url.getRawPath();
        return shown.append(path == null || path.isEmpty() ? "/" : path).toString();
    }

    /**
     * {@code message} with the URL's query string and user info cut out, for messages
     * written by libraries.
     */
    static String scrub(String message, URI url) {
        String scrubbed = message;
        if (url.getRawQuery() != null && !url.getRawQuery().isEmpty()) {
            scrubbed = scrubbed.replace(url.getRawQuery(), "…");
        }
        if (url.getRawUserInfo() != null && !url.getRawUserInfo().isEmpty()) {
            scrubbed = scrubbed.replace(url.getRawUserInfo(), "…");
        }
        return scrubbed;
    }

}
