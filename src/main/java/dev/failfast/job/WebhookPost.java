package dev.failfast.job;

import dev.failfast.batch.JobError;
import dev.failfast.job.InvalidJobParamsException.ParamError;
import dev.failfast.settings.FailfastProperties;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Sends a webhook: one JSON POST under the {@code http} job's rules, so that a
 * notification URL can reach nothing an {@code http} job of its tenant could not. The URL
 * is checked against the SSRF policy at submission and its name resolved and checked at
 * each delivery; extra headers are literal strings or references to the operator's
 * secrets, resolved at each delivery; no redirect is followed; error messages name the
 * URL as an {@code http} job's do (query and credentials masked) and are scrubbed of
 * secrets.
 */
@Component
public final class WebhookPost {

    /** Headers a webhook sets itself, which extra headers may not replace. */
    private static final Set<String> OWN_HEADERS = Set.of("content-type", "webhook-id", "webhook-timestamp",
            "webhook-signature", "user-agent");

    private final HttpTargetGuard guard;

    private final HttpJobClient client;

    private final SecretHeaders secretHeaders;

    private final int maxResponseBody;

    WebhookPost(HttpTargetGuard guard, HttpJobClient client, SecretHeaders secretHeaders,
            FailfastProperties properties) {
        this.guard = guard;
        this.client = client;
        this.secretHeaders = secretHeaders;
        this.maxResponseBody = (int) properties.jobs().http().maxResponseBody().toBytes();
    }

    /**
     * What is wrong with a webhook target of {@code tenant}'s, each problem naming
     * {@code url}, {@code headers} or {@code headers.<Name>}; empty when it may be sent
     * to. Judges the URL without DNS, as an {@code http} job's at submission.
     */
    public List<ParamError> check(String url, ObjectNode headers, String tenant) {
        List<ParamError> errors = new ArrayList<>();
        URI uri;
        try {
            uri = HttpJobHandler.parseUrl(url);
        }
        catch (InvalidJobParamsException e) {
            return e.errors();
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            return List.of(new ParamError("url", "must be an absolute http or https URL"));
        }
        guard.checkUrl(uri, tenant).ifPresent(reason -> errors.add(new ParamError("url", reason)));
        try {
            Map<String, HeaderValue> values = headerValues(headers);
            for (String name : values.keySet()) {
                if (OWN_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                    errors.add(new ParamError("headers." + name, "is set by the webhook itself"));
                }
            }
            secretHeaders.check(values, tenant, uri);
            HttpJobHandler.checkHeaders(SecretHeaders.withStandIns(values));
        }
        catch (InvalidJobParamsException e) {
            errors.addAll(e.errors());
        }
        return errors;
    }

    /** The headers with the values of sensitive ones masked, to show a target. */
    public static ObjectNode redactHeaders(ObjectNode headers) {
        ObjectNode params = headers.objectNode();
        params.set("headers", headers.deepCopy());
        JsonNode redacted = HttpRedaction.redactParams(params).get("headers");
        return redacted instanceof ObjectNode node ? node : headers.objectNode();
    }

    /** The URL with its userinfo, query and fragment masked, to show a target. */
    public static String redactUrl(URI url) {
        return HttpRedaction.redactUrl(url.toString());
    }

    /**
     * Posts {@code body} as JSON with {@code ownHeaders} (the webhook's) and the target's
     * {@code headers}, and returns the receiver's status, whatever it is.
     * @throws JobFailedException {@code TARGET_DENIED} when the URL or its addresses are
     * now denied, {@code SECRET_UNAVAILABLE} when a header's secret cannot be read or
     * sent there, {@code TIMEOUT} or {@code IO} when no answer came; messages scrubbed
     */
    public int post(URI url, ObjectNode headers, Map<String, String> ownHeaders, byte[] body, String tenant,
            Duration timeout) throws JobFailedException, InterruptedException {
        Map<String, HeaderValue> values = headerValues(headers);
        SecretHeaders.Resolved resolved = secretHeaders.resolve(values, null, tenant, url);
        List<String> hidden = new ArrayList<>(HttpRedaction.withEncodings(resolved.hidden()));
        hidden.addAll(HttpRedaction.hiddenParts(url));
        String where = HttpRedaction.forMessage(url);
        List<InetAddress> addresses = guard.resolve(url, tenant);
        String host = TargetHost.of(url).name();
        long deadline = System.nanoTime() + timeout.toNanos();
        IOException failure = null;
        for (InetAddress address : addresses) {
            HttpPost request = new HttpPost(url);
            resolved.values().forEach(request::addHeader);
            ownHeaders.forEach(request::setHeader);
            request.setEntity(new ByteArrayEntity(body, ContentType.APPLICATION_JSON));
            Timeout remaining = Timeout.ofNanoseconds(Math.max(1, deadline - System.nanoTime()));
            request.setConfig(RequestConfig.custom()
                .setConnectionRequestTimeout(remaining)
                .setResponseTimeout(remaining)
                .build());
            HttpExchange exchange = new HttpExchange();
            exchange.start(request);
            try (var _ = client.after(deadline - System.nanoTime(), exchange::timeOut)) {
                ClassicHttpResponse response = client
                    .open(new HttpHost(url.getScheme(), address, host, HttpTargetGuard.portOf(url)), request);
                try {
                    if (response.getEntity() != null) {
                        // Read (a little of) the answer so that the connection can be
                        // reused.
                        EntityUtils.toByteArray(response.getEntity(), maxResponseBody);
                    }
                    return response.getCode();
                }
                finally {
                    exchange.release(response);
                }
            }
            catch (ConnectException | ConnectTimeoutException e) {
                failure = e; // nothing was sent: the next address may answer
            }
            catch (IOException e) {
                if (exchange.timedOut() || e instanceof InterruptedIOException) {
                    throw new JobFailedException(JobError.TIMEOUT, "no answer from " + where + " within " + timeout, e);
                }
                throw new JobFailedException(JobError.IO,
                        HttpRedaction.scrub("POST to " + where + " failed: " + describe(e), hidden), e);
            }
        }
        throw new JobFailedException(
                JobError.IO, HttpRedaction
                    .scrub("could not connect to " + where + ": " + describe(Objects.requireNonNull(failure)), hidden),
                failure);
    }

    private static Map<String, HeaderValue> headerValues(ObjectNode headers) {
        Map<String, HeaderValue> values = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> header : headers.properties()) {
            try {
                values.put(header.getKey(), HeaderValue.of(header.getValue()));
            }
            catch (InvalidParamValueException e) {
                throw new InvalidJobParamsException("headers." + header.getKey(), String.valueOf(e.getMessage()));
            }
        }
        return values;
    }

    private static String describe(Throwable cause) {
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

}
