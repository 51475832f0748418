package dev.failfast.job;

import dev.failfast.settings.FailfastProperties;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.springframework.stereotype.Component;

/**
 * The Apache HttpClient that {@code http} jobs send with, and the timer that aborts an
 * exchange at its deadline. The client is given addresses only, never a name to resolve:
 * its own DNS resolver refuses every lookup, so it cannot connect anywhere the guard did
 * not check. It follows no redirects, retries nothing, keeps no cookies or credentials
 * between jobs and decompresses nothing; TLS SNI and hostname verification use the URL's
 * host name.
 */
@Component
class HttpJobClient implements AutoCloseable {

    /**
     * The guard resolves names; a lookup by the client would be a second, unchecked one.
     */
    private static final DnsResolver NO_LOOKUPS = new DnsResolver() {

        @Override
        public InetAddress[] resolve(String host) throws UnknownHostException {
            throw new UnknownHostException("http jobs connect to checked addresses only, not to " + host);
        }

        @Override
        public String resolveCanonicalHostname(String host) throws UnknownHostException {
            throw new UnknownHostException("http jobs connect to checked addresses only, not to " + host);
        }

    };

    private final CloseableHttpClient client;

    private final ScheduledThreadPoolExecutor timer;

    HttpJobClient(FailfastProperties properties) {
        FailfastProperties.Http settings = properties.jobs().http();
        var connections = PoolingHttpClientConnectionManagerBuilder.create()
            .setDnsResolver(NO_LOOKUPS)
            // HostPermits limits each host name; this is the same limit for each address.
            .setMaxConnPerRoute(settings.maxConnectionsPerHost())
            .setMaxConnTotal(Math.max(1024, settings.maxConnectionsPerHost()))
            .setDefaultConnectionConfig(ConnectionConfig.custom()
                .setConnectTimeout(Timeout.of(settings.connectTimeout()))
                .setTimeToLive(TimeValue.ofMinutes(5))
                .build())
            .build();
        this.client = HttpClients.custom()
            .setConnectionManager(connections)
            .disableRedirectHandling()
            .disableAutomaticRetries()
            .disableCookieManagement()
            .disableAuthCaching()
            .disableContentCompression()
            .setUserAgent("Failfast")
            .evictExpiredConnections()
            .evictIdleConnections(TimeValue.ofSeconds(30))
            .build();
        this.timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "failfast-http-deadline");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /**
     * Sends {@code request} to {@code target} (which carries the checked address and the
     * host name) and returns the response with its body unread.
     */
    ClassicHttpResponse open(HttpHost target, HttpUriRequestBase request) throws IOException {
        return client.executeOpen(target, request, HttpClientContext.create());
    }

    /**
     * Runs {@code action} once {@code nanos} have passed, unless the returned
     * registration is closed first.
     */
    CancellationToken.Registration after(long nanos, Runnable action) {
        ScheduledFuture<?> scheduled = timer.schedule(action, Math.max(0, nanos), TimeUnit.NANOSECONDS);
        return () -> scheduled.cancel(false);
    }

    @Override
    public void close() {
        timer.shutdownNow();
        client.close(CloseMode.IMMEDIATE);
    }

}
