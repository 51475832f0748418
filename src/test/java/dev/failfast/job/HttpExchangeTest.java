package dev.failfast.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.failfast.batch.JobError;
import dev.failfast.settings.FailfastProperties;
import jakarta.validation.Validation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code http} job's exchanges against real servers on loopback, with the handler
 * built from its real parts; only name resolution is a test seam, answering as a DNS
 * server under an attacker's control would.
 */
class HttpExchangeTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    private static final Clock FIXED = Clock.fixed(NOW, ZoneOffset.UTC);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    private final ExecutorService threads = Executors.newCachedThreadPool();

    private HttpServer server;

    private final AtomicInteger hits = new AtomicInteger();

    private final AtomicInteger inFlight = new AtomicInteger();

    private final AtomicInteger mostInFlight = new AtomicInteger();

    private final CountDownLatch release = new CountDownLatch(1);

    private final AtomicReference<String> hostHeader = new AtomicReference<>();

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/ok", exchange -> {
            hits.incrementAndGet();
            hostHeader.set(exchange.getRequestHeaders().getFirst("Host"));
            respond(exchange, 200, "ok", Map.of());
        });
        server.createContext("/big", exchange -> respond(exchange, 200, "x".repeat(10_000), Map.of()));
        server.createContext("/hold", exchange -> {
            int now = inFlight.incrementAndGet();
            mostInFlight.accumulateAndGet(now, Math::max);
            try {
                release.await(30, TimeUnit.SECONDS);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            respond(exchange, 200, "held", Map.of());
        });
        server.createContext("/limited", exchange -> {
            hits.incrementAndGet();
            respond(exchange, 429, "slow down", Map.of("Retry-After", "7"));
        });
        server.createContext("/limited-long", exchange -> respond(exchange, 429, "", Map.of("Retry-After", "86400")));
        server.createContext("/limited-bare", exchange -> respond(exchange, 429, "", Map.of()));
        server.createContext("/unavailable", exchange -> respond(exchange, 503, "", Map.of("Retry-After",
                DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(120).atOffset(ZoneOffset.UTC)))));
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        server.stop(0);
        threads.shutdownNow();
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    @Test
    void aServerThatStallsMidBodyFailsTheJobWithTimeoutAndLosesTheConnection() throws Exception {
        try (var stalling = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Boolean> closedByClient = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = stalling.accept()) {
                    readRequestHead(socket.getInputStream());
                    OutputStream out = socket.getOutputStream();
                    out.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789"
                        .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return socket.getInputStream().read() < 0; // blocks until the client
                                                               // closes
                }
                catch (IOException e) {
                    return true; // reset by the client
                }
            }, threads);
            var handler = handler(loopback(), HttpExchangeTest::loopbackOnly, FIXED);

            assertTimeoutPreemptively(Duration.ofSeconds(30),
                    () -> assertThatThrownBy(() -> run(handler,
                            Map.of("url", "http://127.0.0.1:" + stalling.getLocalPort() + "/", "timeout", "PT0.5S")))
                        .isInstanceOfSatisfying(JobFailedException.class,
                                e -> assertThat(e.errorType()).isEqualTo(JobError.TIMEOUT)));
            assertThat(closedByClient.get(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aBodyLongerThanMaxResponseBodyIsTruncatedWithoutWaitingForTheRestOfIt() throws Exception {
        try (var stalling = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            CountDownLatch answered = new CountDownLatch(1);
            Future<?> answering = threads.submit(() -> {
                try (Socket socket = stalling.accept()) {
                    readRequestHead(socket.getInputStream());
                    OutputStream out = socket.getOutputStream();
                    // Exactly max-response-body bytes of a longer body, then nothing.
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + "x".repeat(16))
                        .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    answered.await(30, TimeUnit.SECONDS);
                }
                return null;
            });
            var handler = handler(loopback("failfast.jobs.http.max-response-body", "16B"),
                    HttpExchangeTest::loopbackOnly, FIXED);

            Object result = run(handler,
                    Map.of("url", "http://127.0.0.1:" + stalling.getLocalPort() + "/", "timeout", "PT20S"));
            answered.countDown();
            answering.get(30, TimeUnit.SECONDS);

            assertThat(result).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("body", "x".repeat(16))
                .containsEntry("truncated", true);
        }
    }

    @Test
    void aServerThatTricklesItsBodyIsCutOffAtTheTimeout() throws Exception {
        // One byte every 50 ms: no socket read ever waits long, only the whole exchange
        // does.
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        toClose.add(trickle::shutdownNow);
        try (var trickling = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    Socket socket = trickling.accept();
                    readRequestHead(socket.getInputStream());
                    socket.getOutputStream()
                        .write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    return socket;
                }
                catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }, threads);
            var handler = handler(loopback(), HttpExchangeTest::loopbackOnly, FIXED);
            Future<Object> job = threads.submit(() -> run(handler,
                    Map.of("url", "http://127.0.0.1:" + trickling.getLocalPort() + "/", "timeout", "PT1S")));
            Socket socket = accepted.get(30, TimeUnit.SECONDS);
            var dripping = trickle.scheduleAtFixedRate(() -> {
                try {
                    socket.getOutputStream().write('x');
                    socket.getOutputStream().flush();
                }
                catch (IOException e) {
                    throw new IllegalStateException("closed by the client", e);
                }
            }, 0, 50, TimeUnit.MILLISECONDS);

            assertThatThrownBy(() -> job.get(30, TimeUnit.SECONDS)).cause()
                .isInstanceOfSatisfying(JobFailedException.class, e -> {
                    assertThat(e.errorType()).isEqualTo(JobError.TIMEOUT);
                    assertThat(e.getMessage()).contains("did not complete within PT1S");
                });
            dripping.cancel(false);
            socket.close();
        }
    }

    @Test
    void noMoreThanMaxConnectionsPerHostRequestsAreInFlightToOneHost() throws Exception {
        var handler = handler(loopback("failfast.jobs.http.max-connections-per-host", "2"),
                HttpExchangeTest::loopbackOnly, FIXED);
        List<Future<Object>> jobs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            jobs.add(threads.submit(() -> run(handler, Map.of("url", url("/hold")))));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> inFlight.get() == 2);
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> inFlight.get() <= 2);
        release.countDown();

        for (Future<Object> job : jobs) {
            assertThat(job.get(30, TimeUnit.SECONDS)).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("status", 200);
        }
        assertThat(mostInFlight.get()).isEqualTo(2);
    }

    @Test
    void waitingForAConnectionSlotCountsTowardTheTimeout() throws Exception {
        var handler = handler(loopback("failfast.jobs.http.max-connections-per-host", "1"),
                HttpExchangeTest::loopbackOnly, FIXED);
        Future<Object> holder = threads.submit(() -> run(handler, Map.of("url", url("/hold"))));
        await().atMost(Duration.ofSeconds(30)).until(() -> inFlight.get() == 1);

        assertThatThrownBy(() -> run(handler, Map.of("url", url("/ok"), "timeout", "PT0.3S")))
            .isInstanceOfSatisfying(JobFailedException.class, e -> {
                assertThat(e.errorType()).isEqualTo(JobError.TIMEOUT);
                assertThat(e.getMessage()).contains("stayed busy");
            });
        assertThat(hits.get()).isZero();
        release.countDown();
        assertThat(holder.get(30, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void waitingForAConnectionSlotIsCancellable() throws Exception {
        var handler = handler(loopback("failfast.jobs.http.max-connections-per-host", "1"),
                HttpExchangeTest::loopbackOnly, FIXED);
        Future<Object> holder = threads.submit(() -> run(handler, Map.of("url", url("/hold"))));
        await().atMost(Duration.ofSeconds(30)).until(() -> inFlight.get() == 1);
        AtomicReference<TestCancellationToken> token = new AtomicReference<>();
        AtomicReference<Thread> worker = new AtomicReference<>();
        Future<Object> waiting = threads.submit(() -> {
            worker.set(Thread.currentThread());
            var own = new TestCancellationToken(Thread.currentThread());
            token.set(own);
            return run(handler, Map.of("url", url("/ok"), "timeout", "PT60S"), "default", own);
        });
        await().atMost(Duration.ofSeconds(30))
            .until(() -> worker.get() != null && worker.get().getState() == Thread.State.TIMED_WAITING);

        token.get().cancel();

        assertThatThrownBy(() -> waiting.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(InterruptedException.class);
        assertThat(hits.get()).isZero();
        release.countDown();
        assertThat(holder.get(30, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void a429WithRetryAfterAsksToBeCalledAgainLaterAndTheTenantsNextJobsWaitToo() throws Exception {
        var handler = handler(loopback(), HttpExchangeTest::loopbackOnly, FIXED);

        assertThatThrownBy(() -> run(handler, Map.of("url", url("/limited?key=s3cr3t"))))
            .isInstanceOfSatisfying(RetryLaterException.class, e -> {
                assertThat(e.delay()).isEqualTo(Duration.ofSeconds(7));
                assertThat(e.errorType()).isEqualTo(JobError.HTTP_STATUS);
                assertThat(e.getMessage()).contains("429").contains("/limited").doesNotContain("s3cr3t");
            });
        assertThatThrownBy(() -> run(handler, Map.of("url", url("/limited")))).isInstanceOfSatisfying(
                RetryLaterException.class, e -> assertThat(e.delay()).isEqualTo(Duration.ofSeconds(7)));
        assertThat(hits.get()).as("the second job waited without calling").isEqualTo(1);

        assertThatThrownBy(() -> run(handler, Map.of("url", url("/limited")), "other-tenant"))
            .isInstanceOf(RetryLaterException.class);
        assertThat(hits.get()).as("another tenant's rate limit is its own").isEqualTo(2);
    }

    @Test
    void a503WithAnHttpDateIsTheTimeUntilThatDate() {
        var handler = handler(loopback(), HttpExchangeTest::loopbackOnly, FIXED);

        assertThatThrownBy(() -> run(handler, Map.of("url", url("/unavailable")))).isInstanceOfSatisfying(
                RetryLaterException.class, e -> assertThat(e.delay()).isEqualTo(Duration.ofMinutes(2)));
    }

    @Test
    void aLongRetryAfterIsCappedAndOneWithoutTheHeaderIsAnOrdinaryFailure() {
        var handler = handler(loopback("failfast.engine.max-retry-later", "PT1M"), HttpExchangeTest::loopbackOnly,
                FIXED);

        assertThatThrownBy(() -> run(handler, Map.of("url", url("/limited-long")))).isInstanceOfSatisfying(
                RetryLaterException.class, e -> assertThat(e.delay()).isEqualTo(Duration.ofMinutes(1)));
        assertThatThrownBy(() -> run(handler, Map.of("url", url("/limited-bare")), "another-tenant"))
            .isInstanceOfSatisfying(JobFailedException.class, e -> {
                assertThat(e).isNotInstanceOf(RetryLaterException.class);
                assertThat(e.errorType()).isEqualTo(JobError.HTTP_STATUS);
            });
    }

    @Test
    void anExpected429IsASuccess() throws Exception {
        var handler = handler(loopback(), HttpExchangeTest::loopbackOnly, FIXED);

        assertThat(run(handler, Map.of("url", url("/limited"), "expectStatus", List.of(429))))
            .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
            .containsEntry("status", 429)
            .containsEntry("body", "slow down");
    }

    @Test
    void theConnectionGoesToTheCheckedAddressAndTheNameIsLookedUpOncePerAttempt() throws Exception {
        // The first answer is allowed; every later one is a denied address. A client that
        // looked the name up again would be sent there (or, resolving through the system,
        // would not find rebind.test at all).
        AtomicInteger lookups = new AtomicInteger();
        HostResolver rebinding = name -> {
            assertThat(name).isEqualTo("rebind.test");
            return List.of(InetAddress.ofLiteral(lookups.incrementAndGet() == 1 ? "127.0.0.1" : "127.0.0.2"));
        };
        var handler = handler(loopback("failfast.jobs.http.denied-networks", "127.0.0.2/32"), rebinding, FIXED);
        String url = "http://ReBind.test:" + server.getAddress().getPort() + "/ok";

        assertThat(run(handler, Map.of("url", url))).asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
            .containsEntry("status", 200);
        assertThat(lookups.get()).isEqualTo(1);
        assertThat(hits.get()).isEqualTo(1);
        assertThat(hostHeader.get()).isEqualToIgnoringCase("rebind.test:" + server.getAddress().getPort());

        assertThatThrownBy(() -> run(handler, Map.of("url", url))).isInstanceOfSatisfying(JobFailedException.class,
                e -> {
                    assertThat(e.errorType()).isEqualTo(JobError.TARGET_DENIED);
                    assertThat(e.getMessage()).contains("127.0.0.2").contains("denied network");
                });
        assertThat(lookups.get()).isEqualTo(2);
        assertThat(hits.get()).isEqualTo(1);
    }

    @Test
    void anAddressThatRefusesTheConnectionIsFollowedByTheNextCheckedOne() throws Exception {
        // Nothing listens on 127.0.0.3 at the server's port.
        HostResolver twoAddresses = name -> List.of(InetAddress.ofLiteral("127.0.0.3"),
                InetAddress.ofLiteral("127.0.0.1"));
        var handler = handler(loopback(), twoAddresses, FIXED);

        assertThat(run(handler, Map.of("url", "http://two.test:" + server.getAddress().getPort() + "/ok")))
            .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
            .containsEntry("status", 200);
    }

    @Test
    void aLongBodyIsCutAtMaxResponseBody() throws Exception {
        var handler = handler(loopback(), HttpExchangeTest::loopbackOnly, FIXED);

        assertThat(run(handler, Map.of("url", url("/big"))))
            .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
            .containsEntry("body", "x".repeat(4096))
            .containsEntry("truncated", true);
    }

    @Test
    void aTruncatedBodyIsNotReadToItsEndTheConnectionIsClosedInstead() throws Exception {
        try (var endless = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Boolean> closedByClient = CompletableFuture.supplyAsync(() -> {
                try (Socket socket = endless.accept()) {
                    readRequestHead(socket.getInputStream());
                    OutputStream out = socket.getOutputStream();
                    out.write(
                            "HTTP/1.1 200 OK\r\nContent-Length: 100000000\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.write("y".repeat(8192).getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return socket.getInputStream().read() < 0; // the rest never comes
                }
                catch (IOException e) {
                    return true;
                }
            }, threads);
            var handler = handler(loopback(), HttpExchangeTest::loopbackOnly, FIXED);

            assertThat(
                    run(handler, Map.of("url", "http://127.0.0.1:" + endless.getLocalPort() + "/", "timeout", "PT60S")))
                .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
                .containsEntry("body", "y".repeat(4096))
                .containsEntry("truncated", true);
            assertThat(closedByClient.get(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static Map<String, String> loopback(String... more) {
        Map<String, String> settings = new HashMap<>(Map.of("failfast.jobs.http.allowed-networks", "127.0.0.0/8",
                "failfast.jobs.http.allowed-ports", "1024-65535"));
        for (int i = 0; i < more.length; i += 2) {
            settings.put(more[i], more[i + 1]);
        }
        return settings;
    }

    private static List<InetAddress> loopbackOnly(String name) throws java.net.UnknownHostException {
        throw new java.net.UnknownHostException(name + ": these tests call IP literals only");
    }

    private HttpJobHandler handler(Map<String, String> settings, HostResolver resolver, Clock clock) {
        FailfastProperties properties = new Binder(new MapConfigurationPropertySource(settings))
            .bindOrCreate("failfast", FailfastProperties.class);
        var client = new HttpJobClient(properties);
        toClose.add(client);
        var validator = Validation.byDefaultProvider()
            .configure()
            .messageInterpolator(new ParameterMessageInterpolator())
            .buildValidatorFactory()
            .getValidator();
        return new HttpJobHandler(new JobParamsBinder(JSON, validator),
                new HttpTargetGuard(properties, resolver, _ -> false), client,
                new SecretHeaders(new HttpSecrets(properties)), properties, clock);
    }

    private static Object run(HttpJobHandler handler, Map<String, Object> params) throws Exception {
        return run(handler, params, "default");
    }

    private static Object run(HttpJobHandler handler, Map<String, Object> params, String tenant) throws Exception {
        return run(handler, params, tenant, new TestCancellationToken(Thread.currentThread()));
    }

    private static Object run(HttpJobHandler handler, Map<String, Object> params, String tenant,
            CancellationToken token) throws Exception {
        HttpJobHandler.Params parsed = handler.parseParams(JSON.valueToTree(params), tenant);
        return handler.execute(new JobContext<>(UUID.randomUUID(), tenant, "job", "http", parsed, 1, token));
    }

    private String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private static void respond(HttpExchange exchange, int status, String body, Map<String, String> headers)
            throws IOException {
        headers.forEach(exchange.getResponseHeaders()::add);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    /** Reads up to the blank line that ends a request's head. */
    private static void readRequestHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = { '\r', '\n', '\r', '\n' };
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

}
