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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code http}: one HTTP request with the JDK {@link HttpClient}. Cancellation aborts the
 * request in flight (the connection is closed); redirects are not followed, so a redirect
 * cannot lead past the {@link HttpTargetGuard}.
 */
@Component
class HttpJobHandler implements JobHandler<HttpJobHandler.Params> {

    private static final Duration MAX_TIMEOUT = Duration.ofDays(JobSpec.MAX_DURATION_DAYS);

    private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private final JobParamsBinder binder;

    private final HttpTargetGuard guard;

    private final FailfastProperties.Http settings;

    private final HttpClient client;

    private final SecretHeaders secretHeaders;

    HttpJobHandler(JobParamsBinder binder, HttpTargetGuard guard, SecretHeaders secretHeaders,
            FailfastProperties properties) {
        this.binder = binder;
        this.guard = guard;
        this.secretHeaders = secretHeaders;
        this.settings = properties.jobs().http();
        this.client = HttpClient.newBuilder()
            .connectTimeout(settings.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
    }

    /**
     * @param method the HTTP method (default GET)
     * @param url an absolute http or https URL
     * @param headers request headers: each value a string, or a reference to a secret of
     * the operator's ({@code {"secretRef": "partner-api", "prefix": "Bearer "}}) resolved
     * at each attempt
     * @param body the request body: a string is sent as it is, anything else as JSON
     * @param expectStatus the statuses that count as success (default any 2xx)
     * @param timeout the request timeout (default
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
            return method == null ? "GET" : method.toUpperCase(java.util.Locale.ROOT);
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
        if (url.getRawUserInfo() != null) {
            throw new InvalidJobParamsException("url", "must not hold credentials (user:password@); send them in a "
                    + "header, e.g. \"Authorization\": {\"secretRef\": \"<name>\"} (docs/security.md)");
        }
        guard.checkHost(url).ifPresent(reason -> {
            throw new InvalidJobParamsException("url", reason);
        });
        secretHeaders.check(params.headers(), tenant, url);
        Map<String, String> headers = SecretHeaders.withStandIns(params.headers());
        try {
            buildRequest(params, url, headers);
        }
        catch (IllegalArgumentException e) {
            // HttpRequest refuses restricted headers such as Host or Content-Length, and
            // quotes a value it refuses: keep that out of the answer.
            throw new InvalidJobParamsException("headers", HttpRedaction.scrub(describe(e), headers.values()));
        }
        return params;
    }

    @Override
    public ObjectNode redactParams(ObjectNode params) {
        return HttpRedaction.redactParams(params);
    }

    /**
     * Sends the request with the job's secrets read now, and keeps the URL's query and
     * user info and the sensitive header values out of every error message (they become
     * the batch's cancellation cause and log lines).
     */
    @Override
    public Object execute(JobContext<Params> context) throws JobFailedException, InterruptedException {
        Params params = context.params();
        URI url = parseUrl(params.url());
        SecretHeaders.Resolved headers = secretHeaders.resolve(params.headers(), params.sensitiveHeaders(),
                context.tenant(), url);
        List<String> hidden = new java.util.ArrayList<>(headers.hidden());
        hidden.addAll(HttpRedaction.hiddenParts(url));
        try {
            return exchange(context, url, headers.values());
        }
        catch (RetryLaterException e) {
            throw new RetryLaterException(e.delay(), e.errorType(), scrub(e, hidden));
        }
        catch (JobFailedException e) {
            throw new JobFailedException(e.errorType(), scrub(e, hidden), e.getCause());
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

    private Object exchange(JobContext<Params> context, URI url, Map<String, String> headers)
            throws JobFailedException, InterruptedException {
        Params params = context.params();
        var denied = guard.checkResolved(url);
        if (denied.isPresent()) {
            throw new JobFailedException(JobError.TARGET_DENIED, denied.get());
        }
        HttpRequest request = buildRequest(params, url, headers);
        CompletableFuture<HttpResponse<InputStream>> exchange = client.sendAsync(request,
                HttpResponse.BodyHandlers.ofInputStream());
        // Cancelling the exchange future aborts the request and closes its connection.
        try (var _ = context.cancellation().onCancel(() -> exchange.cancel(true))) {
            HttpResponse<InputStream> response = awaitResponse(exchange);
            try (InputStream body = response.body();
                    var _ = context.cancellation().onCancel(() -> closeQuietly(body))) {
                byte[] kept = body.readNBytes((int) settings.maxResponseBody().toBytes());
                boolean truncated = body.read() != -1;
                context.cancellation().throwIfCancelled();
                if (!params.accepts(response.statusCode())) {
                    throw new JobFailedException(JobError.HTTP_STATUS, "Unexpected HTTP status " + response.statusCode()
                            + " from " + HttpRedaction.forMessage(url));
                }
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("status", response.statusCode());
                response.headers().firstValue("content-type").ifPresent(type -> result.put("contentType", type));
                result.put("body", new String(kept, StandardCharsets.UTF_8));
                result.put("truncated", truncated);
                return result;
            }
            catch (IOException e) {
                context.cancellation().throwIfCancelled();
                throw new JobFailedException(JobError.IO, "Reading the response failed: " + e.getMessage(), e);
            }
        }
    }

    private static HttpResponse<InputStream> awaitResponse(CompletableFuture<HttpResponse<InputStream>> exchange)
            throws JobFailedException, InterruptedException {
        try {
            return exchange.get();
        }
        catch (InterruptedException e) {
            exchange.cancel(true);
            throw e;
        }
        catch (CancellationException e) {
            throw new JobCancelledException();
        }
        catch (ExecutionException e) {
            Throwable cause = Objects.requireNonNullElse(e.getCause(), e);
            if (cause instanceof HttpTimeoutException) {
                throw new JobFailedException(JobError.TIMEOUT, "HTTP request timed out: " + cause.getMessage(), cause);
            }
            if (cause instanceof IOException) {
                throw new JobFailedException(JobError.IO, "HTTP request failed: " + describe(cause), cause);
            }
            throw new JobFailedException(JobError.JOB_ERROR, "HTTP request failed: " + describe(cause), cause);
        }
    }

    private HttpRequest buildRequest(Params params, URI url, Map<String, String> headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(url)
            .timeout(params.timeout() == null ? settings.defaultTimeout() : params.timeout());
        headers.forEach(builder::header);
        JsonNode body = params.body();
        if (body == null || body.isNull()) {
            builder.method(params.methodOrDefault(), HttpRequest.BodyPublishers.noBody());
        }
        else if (body.isString()) {
            builder.method(params.methodOrDefault(), HttpRequest.BodyPublishers.ofString(body.stringValue()));
        }
        else {
            if (headers.keySet().stream().noneMatch("content-type"::equalsIgnoreCase)) {
                builder.header("Content-Type", "application/json");
            }
            builder.method(params.methodOrDefault(), HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        return builder.build();
    }

    private static URI parseUrl(String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getHost() == null) {
                throw new InvalidJobParamsException("url", "must name a host");
            }
            return uri;
        }
        catch (IllegalArgumentException e) {
            throw new InvalidJobParamsException("url", "is not a valid URL");
        }
    }

    private static String describe(Throwable cause) {
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        }
        catch (IOException ignored) {
            // Closing only unblocks a reader that is being cancelled; nothing to report.
        }
    }

}
