package dev.failfast.testing;

import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real webhook receiver on the loopback interface (the JDK's HTTP server, a virtual
 * thread a request), as a client writes one, for the tests in the service's JVM and for
 * those that run the service as separate processes alike.
 * <p>
 * A {@link #verifying verifying} receiver checks each request's Standard Webhooks
 * signature with the secrets it {@linkplain #trust trusts} (its own HMAC code,
 * {@link #sign}, not the service's) and answers 401 to one no trusted secret signed or
 * whose {@code webhook-timestamp} is out of the tolerance; an {@link #accepting} receiver
 * takes every request, for tests that check signatures themselves. A test scripts the
 * answers ({@link #answer(int, int)}: 503 a few times, then 200), changes them
 * ({@link #answerAlways}), or {@linkplain #hold holds} requests unanswered until it
 * {@linkplain #release releases} them.
 * <p>
 * Every request is recorded as it arrives, with the answer it gets decided then: so a
 * request of a sender killed since is never taken for one answered later, and a held
 * request is never {@linkplain Delivery#accepted accepted}, whatever its answer (its
 * sender may have given up on it or be gone).
 */
public final class WebhookReceiver implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * How old a {@code webhook-timestamp} may be, as the Standard Webhooks libraries
     * allow.
     */
    private static final Duration TOLERANCE = Duration.ofMinutes(5);

    /** How long a held request waits for {@link #release} at the most. */
    private static final Duration HOLD_AT_MOST = Duration.ofMinutes(5);

    /**
     * One request as it arrived.
     *
     * @param path its path, such as {@code /hooks}
     * @param id its {@code webhook-id}
     * @param timestamp its {@code webhook-timestamp}, 0 if it had none
     * @param signature its {@code webhook-signature} header
     * @param body its body
     * @param headers its headers
     * @param arrivedAt when its body had been read, by this JVM's clock
     * @param answered the status it was answered with (or would have been, had its sender
     * still been there)
     * @param verified whether a secret the receiver trusted then signed it, within the
     * tolerance
     * @param held whether it was held: not accepted whatever its answer
     */
    public record Delivery(String path, String id, long timestamp, String signature, String body, Headers headers,
            Instant arrivedAt, int answered, boolean verified, boolean held) {

        /** Whether it was answered with a 2xx and not held. */
        public boolean accepted() {
            return !held && answered / 100 == 2;
        }

        public JsonNode json() {
            return JSON.readTree(body);
        }

        public String type() {
            return json().get("type").asString();
        }

        public String batchId() {
            return json().get("data").get("id").asString();
        }

        public int run() {
            return json().get("data").get("run").asInt();
        }

        /** The {@code v1,} signatures of the {@code webhook-signature} header. */
        public List<String> signatures() {
            return List.of(signature.split(" ", -1));
        }

        /**
         * Whether one of its signatures is {@code secret}'s, by this class's own HMAC.
         */
        public boolean signedBy(String secret) {
            byte[] expected = sign(secret, id, timestamp, body).getBytes(StandardCharsets.UTF_8);
            return signatures().stream()
                .anyMatch(s -> MessageDigest.isEqual(s.getBytes(StandardCharsets.UTF_8), expected));
        }

        /** A header, by its name in any case; {@code null} if it had none. */
        public @Nullable String header(String name) {
            return headers.getFirst(name);
        }

    }

    private final HttpServer server;

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

    private final boolean verifies;

    private final List<Delivery> requests = new CopyOnWriteArrayList<>();

    private final Queue<Integer> scripted = new ConcurrentLinkedQueue<>();

    private volatile List<String> secrets;

    private volatile int answer = 200;

    private volatile CountDownLatch holding = new CountDownLatch(0);

    private volatile Consumer<Delivery> onRequest = delivery -> {
    };

    private WebhookReceiver(boolean verifies, List<String> secrets) {
        this.verifies = verifies;
        this.secrets = List.copyOf(secrets);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /**
     * A receiver on a free loopback port that accepts only what one of {@code secrets}
     * signed (none: nothing, until it {@linkplain #trust trusts} a secret).
     */
    public static WebhookReceiver verifying(String... secrets) {
        return new WebhookReceiver(true, List.of(secrets));
    }

    /** A receiver on a free loopback port that accepts every request, signed or not. */
    public static WebhookReceiver accepting() {
        return new WebhookReceiver(false, List.of());
    }

    /** The URL of {@code path} on this receiver, such as {@code /hooks}. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** From now on, verifies with {@code known} only. */
    public void trust(String... known) {
        this.secrets = List.of(known);
    }

    /** Answers {@code status} to the next {@code times} requests, then as before. */
    public void answer(int status, int times) {
        for (int i = 0; i < times; i++) {
            scripted.add(status);
        }
    }

    /**
     * Answers {@code status} to every request that arrives from now on (once scripted
     * answers are used); 200 until told otherwise.
     */
    public void answerAlways(int status) {
        this.answer = status;
    }

    /** Keeps the requests that arrive from now on unanswered until {@link #release}. */
    public void hold() {
        holding = new CountDownLatch(1);
    }

    /** Answers the held requests (their senders may be gone) and no longer holds. */
    public void release() {
        holding.countDown();
    }

    /**
     * Runs as each request arrives, once it is recorded and before it is held or
     * answered.
     */
    public void onRequest(Consumer<Delivery> action) {
        this.onRequest = action;
    }

    /**
     * Every request so far, in order of arrival: rejected, held and repeated ones too.
     */
    public List<Delivery> requests() {
        return List.copyOf(requests);
    }

    /** The requests {@linkplain Delivery#accepted accepted}, in order, repeats too. */
    public List<Delivery> accepted() {
        return requests.stream().filter(Delivery::accepted).toList();
    }

    /**
     * The accepted deliveries each {@code webhook-id} once (its first), as a receiver
     * that drops repeated ids keeps them.
     */
    public List<Delivery> acceptedOnce() {
        Map<String, Delivery> once = new LinkedHashMap<>();
        accepted().forEach(delivery -> once.putIfAbsent(delivery.id(), delivery));
        return List.copyOf(once.values());
    }

    /** The accepted deliveries about one batch, each {@code webhook-id} once. */
    public List<Delivery> of(String batchId) {
        return acceptedOnce().stream().filter(d -> d.batchId().equals(batchId)).toList();
    }

    /** The {@code webhook-id}s of the requests held so far, in order of arrival. */
    public List<String> held() {
        return requests.stream().filter(Delivery::held).map(Delivery::id).toList();
    }

    /**
     * Waits until a delivery of {@code type} about the batch was accepted, and returns
     * it.
     */
    public Delivery awaitEvent(String batchId, String type) {
        return await().atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> of(batchId).stream().filter(d -> d.type().equals(type)).findFirst(), Optional::isPresent)
            .orElseThrow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Instant arrivedAt = Instant.now();
            Headers headers = exchange.getRequestHeaders();
            String id = String.valueOf(headers.getFirst("webhook-id"));
            String timestamp = String.valueOf(headers.getFirst("webhook-timestamp"));
            String signature = String.valueOf(headers.getFirst("webhook-signature"));
            long seconds = timestamp.matches("\\d+") ? Long.parseLong(timestamp) : 0;
            var unchecked = new Delivery(exchange.getRequestURI().getPath(), id, seconds, signature, body, headers,
                    arrivedAt, 0, false, false);
            boolean fresh = Duration.between(Instant.ofEpochSecond(seconds), arrivedAt).abs().compareTo(TOLERANCE) < 0;
            boolean verified = fresh && secrets.stream().anyMatch(unchecked::signedBy);
            Integer next = scripted.poll();
            int status = verifies && !verified ? 401 : next != null ? next : answer;
            CountDownLatch latch = holding;
            boolean held = latch.getCount() > 0;
            var delivery = new Delivery(unchecked.path(), id, seconds, signature, body, headers, arrivedAt, status,
                    verified, held);
            requests.add(delivery);
            onRequest.accept(delivery);
            if (held) {
                latch.await(HOLD_AT_MOST.toSeconds(), TimeUnit.SECONDS);
            }
            exchange.sendResponseHeaders(status, -1);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The Standard Webhooks signature, written from the specification: HMAC-SHA256 keyed
     * with the base64-decoded part of {@code whsec_<base64>}, over
     * {@code id.timestamp.body}.
     */
    public static String sign(String secret, String id, long timestamp, String body) {
        byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] signed = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(signed);
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
        threads.shutdownNow();
    }

}
