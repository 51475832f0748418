package dev.failfast.job;

import dev.failfast.batch.JobError;
import dev.failfast.batch.JobSpec;
import dev.failfast.settings.FailfastProperties;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
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

    HttpJobHandler(JobParamsBinder binder, HttpTargetGuard guard, FailfastProperties properties) {
        this.binder = binder;
        this.guard = guard;
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
     * @param headers request headers
     * @param body the request body: a string is sent as it is, anything else as JSON
     * @param expectStatus the statuses that count as success (default any 2xx)
     * @param timeout the request timeout (default
     * {@code failfast.jobs.http.default-timeout})
     */
    record Params(@Nullable String method,
            @NotNull @Pattern(regexp = "https?://.+", message = "must be an absolute http or https URL") String url,
            @Nullable Map<String, String> headers, @Nullable JsonNode body,
            @Nullable List<@NotNull @Min(100) @Max(599) Integer> expectStatus, @Nullable Duration timeout) {

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
        guard.checkHost(url).ifPresent(reason -> {
            throw new InvalidJobParamsException("url", reason);
        });
        try {
            buildRequest(params, url);
        }
        catch (IllegalArgumentException e) {
            // HttpRequest refuses restricted headers such as Host or Content-Length.
            throw new InvalidJobParamsException("headers", describe(e));
        }
        return params;
    }

    @Override
    public Object execute(JobContext<Params> context) throws JobFailedException, InterruptedException {
        Params params = context.params();
        URI url = parseUrl(params.url());
        var denied = guard.checkResolved(url);
        if (denied.isPresent()) {
            throw new JobFailedException(JobError.TARGET_DENIED, denied.get());
        }
        HttpRequest request = buildRequest(params, url);
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
                    throw new JobFailedException(JobError.HTTP_STATUS,
                            "Unexpected HTTP status " + response.statusCode() + " from " + url);
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

    private HttpRequest buildRequest(Params params, URI url) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(url)
            .timeout(params.timeout() == null ? settings.defaultTimeout() : params.timeout());
        if (params.headers() != null) {
            params.headers().forEach(builder::header);
        }
        JsonNode body = params.body();
        if (body == null || body.isNull()) {
            builder.method(params.methodOrDefault(), HttpRequest.BodyPublishers.noBody());
        }
        else if (body.isString()) {
            builder.method(params.methodOrDefault(), HttpRequest.BodyPublishers.ofString(body.stringValue()));
        }
        else {
            if (params.headers() == null
                    || params.headers().keySet().stream().noneMatch("content-type"::equalsIgnoreCase)) {
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
