package dev.failfast.job;

import dev.failfast.batch.JobError;
import dev.failfast.batch.JobSpec;
import dev.failfast.settings.FailfastProperties;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code http}: one HTTP/1.1 request with Apache HttpClient, to an address the
 * {@link HttpTargetGuard} checked (it resolves the name once; the client connects to what
 * it returned). The job's timeout covers the whole exchange: waiting for a connection
 * slot to the host, connecting, sending, and reading the whole body. Cancellation aborts
 * the request in flight (the connection is closed); redirects are not followed, so a
 * redirect cannot lead past the guard. A 429 or 503 with {@code Retry-After} asks the
 * engine to try again later ({@link RetryLaterException}), and the tenant's other jobs to
 * that host wait as long.
 */
@Component
class HttpJobHandler implements JobHandler<HttpJobHandler.Params> {

    private static final Duration MAX_TIMEOUT = Duration.ofDays(JobSpec.MAX_DURATION_DAYS);

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    /**
     * Headers the client sets itself (framing, the connection, the target) or that mark
     * Failfast's own requests; a job may not set them.
     */
    private static final Set<String> RESERVED_HEADERS = Set.of("host", "content-length", "transfer-encoding",
            "connection", "keep-alive", "proxy-connection", "upgrade", "te", "trailer", "expect",
            HttpLoopMarker.HEADER.toLowerCase(Locale.ROOT));

    private static final java.util.regex.Pattern HEADER_NAME = java.util.regex.Pattern
        .compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

    private final JobParamsBinder binder;

    private final HttpTargetGuard guard;

    private final HttpJobClient client;

    private final FailfastProperties.Http settings;

    private final Clock clock;

    private final HostPermits permits;

    private final HostBackoff backoff = new HostBackoff();

    /**
     * The longest {@code Retry-After} honoured: {@code failfast.engine.max-retry-later}.
     */
    private final Duration maxRetryLater;

    private final SecretHeaders secretHeaders;

    HttpJobHandler(JobParamsBinder binder, HttpTargetGuard guard, HttpJobClient client, SecretHeaders secretHeaders,
            FailfastProperties properties, Clock clock) {
        this.binder = binder;
        this.guard = guard;
        this.client = client;
        this.secretHeaders = secretHeaders;
        this.settings = properties.jobs().http();
        this.clock = clock;
        this.permits = new HostPermits(settings.maxConnectionsPerHost());
        this.maxRetryLater = properties.engine().maxRetryLater();
    }

    /**
     * @param method the HTTP method (default GET)
     * @param url an absolute http or https URL
     * @param headers request headers: each value a string, or a reference to a secret of
     * the operator's ({@code {"secretRef": "partner-api", "prefix": "Bearer "}}) resolved
     * at each attempt
     * @param body the request body: a string is sent as it is, anything else as JSON
     * @param expectStatus the statuses that count as success (default any 2xx)
     * @param timeout the whole exchange's timeout (default
     * {@code failfast.jobs.http.default-timeout})
     * @param sensitiveHeaders more headers whose literal values are masked wherever the
     * job is shown (see {@link HttpRedaction})
     */
    record Params(@Nullable String method,
            @NotNull @Pattern(regexp = "https?://.+", message = "must be an absolute http or https URL") String url,
            @Nullable Map<String, @NotNull HeaderValue> headers, @Nullable JsonNode body,
            @Nullable List<@NotNull @Min(100) @Max(599) Integer> expectStatus, @Nullable Duration timeout,
            @Nullable List<@NotBlank String> sensitiveHeaders) {

        String methodOrDefault() {
            return method == null ? "GET" : method.toUpperCase(Locale.ROOT);
        }

        boolean accepts(int status) {
            return (expectStatus == null || expectStatus.isEmpty()) ? status / 100 == 2 : expectStatus.contains(status);
        }
    }

    @Override
    public String type() {
        return "http";
    }

    @Override
    public Params parseParams(ObjectNode json, String tenant) {
        Params params = binder.bind(json, Params.class);
        if (!METHODS.contains(params.methodOrDefault())) {
            throw new InvalidJobParamsException("method", "must be one of " + METHODS);
        }
        if (params.timeout() != null && (params.timeout().isNegative() || params.timeout().isZero())) {
            throw new InvalidJobParamsException("timeout", "must be positive");
        }
        if (params.timeout() != null && params.timeout().compareTo(MAX_TIMEOUT) > 0) {
            throw new InvalidJobParamsException("timeout", "must be at most " + JobSpec.MAX_DURATION_DAYS + " days");
        }
        URI url = parseUrl(params.url());
        guard.checkUrl(url, tenant).ifPresent(reason -> {
            throw new InvalidJobParamsException("url", reason);
        });
        secretHeaders.check(params.headers(), tenant, url);
        checkHeaders(SecretHeaders.withStandIns(params.headers()));
        return params;
    }

    @Override
    public ObjectNode redactParams(ObjectNode params) {
        return HttpRedaction.redactParams(params);
    }

    @Override
    public Object execute(JobContext<Params> context) throws JobFailedException, InterruptedException {
        Params params = context.params();
        URI url = parseUrl(params.url());
        SecretHeaders.Resolved headers = secretHeaders.resolve(params.headers(), params.sensitiveHeaders(),
                context.tenant(), url);
        List<String> hidden = new ArrayList<>(HttpRedaction.withEncodings(headers.hidden()));
        hidden.addAll(HttpRedaction.hiddenParts(url));
        try {
            return exchange(context, url, headers.values(), hidden);
        }
        catch (RetryLaterException e) {
            throw new RetryLaterException(e.delay(), e.errorType(), scrub(e, hidden), e.httpStatus());
        }
        catch (JobFailedException e) {
            // The status stays: onError rules match on it.
            throw new JobFailedException(e.errorType(), scrub(e, hidden), e.getCause(), e.httpStatus());
        }
        catch (JobCancelledException e) {
            throw e;
        }
        catch (RuntimeException e) {
            throw new JobFailedException(JobError.JOB_ERROR, "HTTP request failed: " + scrub(e, hidden), e);
        }
    }

    private static String scrub(Exception e, List<String> hidden) {
        return HttpRedaction.scrub(describe(e), hidden);
    }

    /** The exchange itself, whose messages {@link #execute} scrubs of secrets. */
    private Object exchange(JobContext<Params> context, URI url, Map<String, String> headers, List<String> hidden)
            throws JobFailedException, InterruptedException {
        Params params = context.params();
        String where = HttpRedaction.forMessage(url);
        Duration timeout = params.timeout() == null ? settings.defaultTimeout() : params.timeout();
        long deadline = System.nanoTime() + timeout.toNanos();
        List<InetAddress> addresses = guard.resolve(url, context.tenant());
        String host = TargetHost.of(url).name();
        Optional<Duration> asked = backoff.remaining(context.tenant(), host, clock.instant());
        if (asked.isPresent()) {
            throw new RetryLaterException(asked.get(), JobError.HTTP_STATUS,
                    "Host " + host + " asked to wait; not calling " + where + " for another " + asked.get());
        }
        HttpExchange exchange = new HttpExchange();
        try (var _ = context.cancellation().onCancel(exchange::cancel);
                var _ = client.after(deadline - System.nanoTime(), exchange::timeOut);
                var _ = permit(host, deadline, where, timeout)) {
            ClassicHttpResponse response = send(params, url, headers, host, addresses, exchange, deadline,
                    HttpLoopMarker.value(context.batchId(), context.jobId()));
            try {
                return result(params, context, response, exchange, host, where, hidden);
            }
            finally {
                exchange.release(response);
            }
        }
        catch (IOException e) {
            context.cancellation().throwIfCancelled();
            if (exchange.timedOut() || e instanceof InterruptedIOException) {
                // Socket and connect timeouts are bounded by the deadline too.
                throw new JobFailedException(JobError.TIMEOUT,
                        "HTTP request to " + where + " did not complete within " + timeout, e);
            }
            throw new JobFailedException(JobError.IO, "HTTP request to " + where + " failed: " + describe(e), e);
        }
    }

    private HostPermits.Permit permit(String host, long deadline, String where, Duration timeout)
            throws InterruptedException, JobFailedException {
        HostPermits.Permit permit = permits.acquire(host, deadline - System.nanoTime());
        if (permit == null) {
            throw new JobFailedException(JobError.TIMEOUT, "HTTP request to " + where + " did not complete within "
                    + timeout + ": every connection to " + host + " stayed busy");
        }
        return permit;
    }

    /**
     * Sends the request to the first of the checked addresses that accepts a connection.
     */
    private ClassicHttpResponse send(Params params, URI url, Map<String, String> headers, String host,
            List<InetAddress> addresses, HttpExchange exchange, long deadline, String origin) throws IOException {
        IOException failure = null;
        for (InetAddress address : addresses) {
            HttpUriRequestBase request = buildRequest(params, url, headers, origin);
            Timeout remaining = Timeout.ofNanoseconds(Math.max(1, deadline - System.nanoTime()));
            request.setConfig(RequestConfig.custom()
                .setConnectionRequestTimeout(remaining)
                .setResponseTimeout(remaining)
                .build());
            exchange.start(request);
            try {
                return client.open(new HttpHost(url.getScheme(), address, host, HttpTargetGuard.portOf(url)), request);
            }
            catch (ConnectException | ConnectTimeoutException e) {
                // Not connected, so nothing was sent: the next address may answer.
                failure = e;
                if (exchange.stopped()) {
                    throw e;
                }
            }
        }
        throw java.util.Objects.requireNonNull(failure);
    }

    private Map<String, Object> result(Params params, JobContext<Params> context, ClassicHttpResponse response,
            HttpExchange exchange, String host, String where, List<String> hidden)
            throws IOException, JobFailedException {
        int status = response.getCode();
        if (!params.accepts(status)) {
            Header retryAfter = response.getFirstHeader("Retry-After");
            if ((status == 429 || status == 503) && retryAfter != null) {
                Instant now = clock.instant();
                Optional<Duration> wait = RetryAfter.parse(retryAfter.getValue(), now);
                if (wait.isPresent()) {
                    Duration capped = wait.get().compareTo(maxRetryLater) > 0 ? maxRetryLater : wait.get();
                    backoff.waitUntil(context.tenant(), host, now.plus(capped), now);
                    throw new RetryLaterException(capped, JobError.HTTP_STATUS,
                            "HTTP status " + status + " from " + where + ", which asked to retry after " + capped,
                            status);
                }
            }
            throw new JobFailedException(JobError.HTTP_STATUS, "Unexpected HTTP status " + status + " from " + where,
                    null, status);
        }
        int max = (int) settings.maxResponseBody().toBytes();
        byte[] kept = new byte[0];
        boolean truncated = false;
        HttpEntity entity = response.getEntity();
        if (entity != null) {
            InputStream body = entity.getContent();
            long length = entity.getContentLength();
            if (length >= 0) {
                // The length is known: decide from it rather than wait for a byte past
                // max, which a server that stalls would never send.
                kept = body.readNBytes((int) Math.min(length, max));
                truncated = length > max;
            }
            else {
                // Chunked or until close: one byte more tells whether there is more. A
                // server that stalls right after max bytes makes the job time out.
                kept = body.readNBytes(max + 1);
                truncated = kept.length > max;
                if (truncated) {
                    kept = Arrays.copyOf(kept, max);
                }
            }
            if (!truncated) {
                exchange.drained();
            }
        }
        else {
            exchange.drained();
        }
        context.cancellation().throwIfCancelled();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("status", status);
        // A target that echoes the request (its headers, its URL) would hand the job's
        // credentials back to the client: mask them in whatever of the response is kept.
        Header contentType = response.getFirstHeader("Content-Type");
        if (contentType != null) {
            result.put("contentType", HttpRedaction.mask(contentType.getValue(), hidden, false));
        }
        result.put("body", HttpRedaction.mask(new String(kept, StandardCharsets.UTF_8), hidden, truncated));
        result.put("truncated", truncated);
        return result;
    }

    /**
     * The request a job sends: its method, URL, headers and body, and the loop marker.
     */
    private static HttpUriRequestBase buildRequest(Params params, URI url, Map<String, String> headers, String origin) {
        HttpUriRequestBase request = new HttpUriRequestBase(params.methodOrDefault(), url);
        headers.forEach(request::addHeader);
        request.setHeader(HttpLoopMarker.HEADER, origin);
        JsonNode body = params.body();
        if (body != null && !body.isNull()) {
            if (body.isString()) {
                request.setEntity(new ByteArrayEntity(body.stringValue().getBytes(StandardCharsets.UTF_8), null));
            }
            else {
                boolean typed = headers.keySet().stream().anyMatch("content-type"::equalsIgnoreCase);
                request.setEntity(new ByteArrayEntity(body.toString().getBytes(StandardCharsets.UTF_8),
                        typed ? null : ContentType.APPLICATION_JSON));
            }
        }
        return request;
    }

    /** Checks header names and values as the {@code http} job and webhooks send them. */
    static void checkHeaders(Map<String, String> headers) {
        headers.forEach((name, value) -> {
            if (!HEADER_NAME.matcher(name).matches()) {
                throw new InvalidJobParamsException("headers", "has a header name that is not a valid token");
            }
            if (RESERVED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new InvalidJobParamsException("headers", "may not set " + name);
            }
            if (value == null || !HeaderValue.SENDABLE.matcher(value).matches()) {
                throw new InvalidJobParamsException("headers." + name,
                        "must be a header value without line breaks or control characters");
            }
        });
    }

    /**
     * An absolute URL with a host and without credentials, or a 400 naming {@code url}.
     */
    static URI parseUrl(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        }
        catch (IllegalArgumentException e) {
            throw new InvalidJobParamsException("url", "is not a valid URL");
        }
        if (uri.getHost() == null) {
            throw new InvalidJobParamsException("url", "must name a host");
        }
        if (uri.getRawUserInfo() != null) {
            throw new InvalidJobParamsException("url", "must not hold credentials (user:password@); send them in a "
                    + "header, e.g. \"Authorization\": {\"secretRef\": \"<name>\"} (docs/security.md)");
        }
        return uri;
    }

    private static String describe(Throwable cause) {
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

}
