package dev.failfast.notify;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A real HTTP receiver on loopback that records every webhook it is sent and answers with
 * the status {@link #answer} gives (200 unless told otherwise).
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request received. */
    public record Received(String id, String timestamp, String signature, String body, @Nullable String authorization,
            long receivedAtNanos) {
    }

    private final HttpServer server;

    private final List<Received> received = new CopyOnWriteArrayList<>();

    private final AtomicInteger requests = new AtomicInteger();

    private volatile IntSupplier answer = () -> 200;

    public WebhookReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.incrementAndGet();
            int status = answer.getAsInt();
            if (status / 100 == 2) {
                var headers = exchange.getRequestHeaders();
                received.add(new Received(headers.getFirst("webhook-id"), headers.getFirst("webhook-timestamp"),
                        headers.getFirst("webhook-signature"), body, headers.getFirst("Authorization"),
                        System.nanoTime()));
            }
            exchange.sendResponseHeaders(status, -1);
        }
    }

    /** The URL to give a notification target: this receiver, at {@code path}. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** What the receiver answers from now on, per request. */
    public void answer(IntSupplier status) {
        this.answer = status;
    }

    /** The requests answered 2xx, in arrival order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Every request, whatever it was answered. */
    public int requests() {
        return requests.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }

}
