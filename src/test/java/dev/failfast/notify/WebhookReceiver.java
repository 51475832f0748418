package dev.failfast.notify;

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
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
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
 * A webhook receiver on loopback, as a client writes one: it verifies the Standard
 * Webhooks signature with the secrets it knows (its own HMAC code, not the service's),
 * answers 401 to a delivery no known secret signed, and keeps each accepted
 * {@code webhook-id} once. A test scripts its answers (503 a few times, then 200) or
 * holds requests until it lets them go.
 */
final class WebhookReceiver implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * How old a {@code webhook-timestamp} may be, as the Standard Webhooks libraries
     * allow.
     */
    private static final Duration TOLERANCE = Duration.ofMinutes(5);

    /** One request that reached the receiver, and what it answered. */
    record Delivery(String id, long timestamp, String signature, String body, Headers headers, int answered) {

        JsonNode json() {
            return JSON.readTree(body);
        }

        String type() {
            return json().get("type").asString();
        }

        String batchId() {
            return json().get("data").get("id").asString();
        }

        int run() {
            return json().get("data").get("run").asInt();
        }

        /** The {@code v1,} signatures of the {@code webhook-signature} header. */
        List<String> signatures() {
            return List.of(signature.split(" ", -1));
        }

        /**
         * Whether one of its signatures is {@code secret}'s, by this class's own HMAC.
         */
        boolean signedBy(String secret) {
            return signatures().stream()
                .anyMatch(s -> MessageDigest.isEqual(s.getBytes(StandardCharsets.UTF_8),
                        sign(secret, id, timestamp, body).getBytes(StandardCharsets.UTF_8)));
        }

        @Nullable String header(String name) {
            return headers.getFirst(name);
        }
    }

    private final HttpServer server;

    private final ExecutorService threads = Executors.newFixedThreadPool(4);

    private final List<Delivery> requests = new CopyOnWriteArrayList<>();

    private final Map<String, Delivery> accepted = new ConcurrentHashMap<>();

    private final Queue<Integer> scripted = new ConcurrentLinkedQueue<>();

    private volatile List<String> secrets;

    private volatile int answer = 200;

    private volatile @Nullable CountDownLatch hold;

    private volatile Consumer<Delivery> onRequest = delivery -> {
    };

    private WebhookReceiver(List<String> secrets) throws IOException {
        this.secrets = List.copyOf(secrets);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    /** A receiver that accepts what one of {@code secrets} signed. */
    static WebhookReceiver verifying(String... secrets) {
        try {
            return new WebhookReceiver(List.of(secrets));
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The receiver's URL for {@code path}. */
    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** From now on, accepts only what one of {@code known} signed. */
    void trust(String... known) {
        this.secrets = List.of(known);
    }

    /** Answers {@code status} to the next {@code times} requests, then as before. */
    void answer(int status, int times) {
        for (int i = 0; i < times; i++) {
            scripted.add(status);
        }
    }

    /** Answers {@code status} to every request (once scripted answers are used). */
    void answerAlways(int status) {
        this.answer = status;
    }

    /** Holds every request until {@link #release()}. */
    void hold() {
        this.hold = new CountDownLatch(1);
    }

    void release() {
        CountDownLatch latch = hold;
        hold = null;
        if (latch != null) {
            latch.countDown();
        }
    }

    /**
     * Runs as each request arrives, before it is held or answered (its {@code answered}
     * is 0).
     */
    void onRequest(Consumer<Delivery> action) {
        this.onRequest = action;
    }

    /** Every request, in the order they came, rejected and repeated ones included. */
    List<Delivery> requests() {
        return List.copyOf(requests);
    }

    /** The deliveries accepted, each webhook-id once. */
    List<Delivery> accepted() {
        return List.copyOf(accepted.values());
    }

    /** The accepted deliveries about one batch. */
    List<Delivery> of(String batchId) {
        return accepted().stream().filter(d -> d.batchId().equals(batchId)).toList();
    }

    /**
     * Waits until a delivery of {@code type} about the batch was accepted, and returns
     * it.
     */
    Delivery awaitEvent(String batchId, String type) {
        return await().atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> of(batchId).stream().filter(d -> d.type().equals(type)).findFirst(),
                    java.util.Optional::isPresent)
            .orElseThrow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Headers headers = exchange.getRequestHeaders();
            String id = String.valueOf(headers.getFirst("webhook-id"));
            String timestamp = String.valueOf(headers.getFirst("webhook-timestamp"));
            String signature = String.valueOf(headers.getFirst("webhook-signature"));
            long seconds = timestamp.matches("\\d+") ? Long.parseLong(timestamp) : 0;
            var arrived = new Delivery(id, seconds, signature, body, headers, 0);
            onRequest.accept(arrived);
            CountDownLatch latch = hold;
            if (latch != null) {
                try {
                    latch.await(30, TimeUnit.SECONDS);
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            Integer next = scripted.poll();
            boolean fresh = Duration.between(Instant.ofEpochSecond(seconds), Instant.now())
                .abs()
                .compareTo(TOLERANCE) < 0;
            boolean verified = fresh && secrets.stream().anyMatch(arrived::signedBy);
            int status = !verified ? 401 : next != null ? next : answer;
            var delivery = new Delivery(id, seconds, signature, body, headers, status);
            requests.add(delivery);
            if (status / 100 == 2) {
                accepted.putIfAbsent(id, delivery);
            }
            exchange.sendResponseHeaders(status, -1);
        }
    }

    /**
     * The Standard Webhooks signature, written from the specification: HMAC-SHA256 keyed
     * with the base64-decoded part of {@code whsec_<base64>}, over
     * {@code id.timestamp.body}.
     */
    static String sign(String secret, String id, long timestamp, String body) {
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
