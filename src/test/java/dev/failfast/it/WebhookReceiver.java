package dev.failfast.it;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A webhook receiver on loopback for the process tests, as a user runs one: a JDK
 * {@link HttpServer} in the test JVM that verifies each request's Standard Webhooks
 * signature against the secrets it was given and records it. It answers every request
 * with the status set last ({@link #answer}), decided when the request arrives, so a
 * request of a process killed since cannot be taken for one answered later; or, after
 * {@link #hold}, keeps requests unanswered until {@link #release}.
 */
final class WebhookReceiver implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * One request as it arrived.
     *
     * @param id its {@code webhook-id}
     * @param arrivedAt when its body had been read, by this JVM's clock
     * @param answered the status it was answered with (or would have been, had the sender
     * still been there)
     * @param verified whether its signature is one of a secret the receiver knows
     * @param held whether it was held: its sender gave up on it or was gone, it is not
     * accepted whatever its answer
     */
    record Delivery(String id, JsonNode body, Instant arrivedAt, int answered, boolean verified, boolean held) {

        boolean accepted() {
            return !held && answered / 100 == 2;
        }
    }

    private final HttpServer server;

    private final List<String> secrets;

    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

    private final List<String> held = new CopyOnWriteArrayList<>();

    private volatile int status = 200;

    private volatile CountDownLatch holding = new CountDownLatch(0);

    /** Listens on an ephemeral loopback port, verifying with any of {@code secrets}. */
    WebhookReceiver(String... secrets) throws IOException {
        this.secrets = List.of(secrets);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** The URL of {@code path} here. */
    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** Answers the requests that arrive from now on with {@code status}. */
    void answer(int status) {
        this.status = status;
    }

    /** Keeps the requests that arrive from now on unanswered until {@link #release}. */
    void hold() {
        holding = new CountDownLatch(1);
    }

    /** Answers the held requests (their senders may be gone) and no longer holds. */
    void release() {
        holding.countDown();
    }

    /** Every request so far, in order of arrival. */
    List<Delivery> deliveries() {
        return List.copyOf(deliveries);
    }

    /** The requests answered with a 2xx, held ones not included. */
    List<Delivery> accepted() {
        return deliveries.stream().filter(Delivery::accepted).toList();
    }

    /** The {@code webhook-id}s of the requests held unanswered so far. */
    List<String> held() {
        return List.copyOf(held);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int answer = status;
            CountDownLatch latch = holding;
            String id = exchange.getRequestHeaders().getFirst("webhook-id");
            boolean verified = verify(id, exchange.getRequestHeaders().getFirst("webhook-timestamp"),
                    exchange.getRequestHeaders().getFirst("webhook-signature"), body);
            boolean hold = latch.getCount() > 0;
            deliveries.add(new Delivery(id, JSON.readTree(body), Instant.now(), answer, verified, hold));
            if (hold) {
                held.add(id);
                latch.await(5, TimeUnit.MINUTES);
            }
            exchange.sendResponseHeaders(answer, -1);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A receiver's check: HMAC-SHA256 of id.timestamp.body with one of the secrets. */
    private boolean verify(String id, String timestamp, String signatures, byte[] body) {
        if (id == null || timestamp == null || signatures == null) {
            return false;
        }
        for (String secret : secrets) {
            byte[] expected = sign(secret, id + "." + timestamp + ".", body);
            boolean matches = Arrays.stream(signatures.split(" "))
                .filter(signature -> signature.startsWith("v1,"))
                .map(signature -> Base64.getDecoder().decode(signature.substring(3)))
                .anyMatch(signature -> MessageDigest.isEqual(signature, expected));
            if (matches) {
                return true;
            }
        }
        return false;
    }

    private static byte[] sign(String secret, String prefix, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
            mac.update(prefix.getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        }
        catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        release();
        server.stop(0);
    }

}
