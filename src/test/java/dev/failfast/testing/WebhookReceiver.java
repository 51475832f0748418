package dev.failfast.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real webhook receiver on the loopback interface (the JDK's HTTP server): it keeps
 * every request it gets, with its {@code webhook-*} headers, and answers 200.
 */
public final class WebhookReceiver implements AutoCloseable {

    /** One request as received. */
    public record Received(String path, Map<String, String> headers, String body) {

        /** A header, by its name in lower case. */
        public String header(String name) {
            return headers.get(name);
        }

    }

    private final HttpServer server;

    private final List<Received> received = new CopyOnWriteArrayList<>();

    private WebhookReceiver(HttpServer server) {
        this.server = server;
    }

    /** A receiver listening on a free loopback port. */
    public static WebhookReceiver start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            WebhookReceiver receiver = new WebhookReceiver(server);
            server.createContext("/", exchange -> {
                try (exchange) {
                    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    Map<String, String> headers = new TreeMap<>();
                    exchange.getRequestHeaders()
                        .forEach(
                                (name, values) -> headers.put(name.toLowerCase(Locale.ROOT), String.join(",", values)));
                    receiver.received.add(new Received(exchange.getRequestURI().getPath(), headers, body));
                    exchange.sendResponseHeaders(200, -1);
                }
            });
            server.start();
            return receiver;
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The URL of {@code path} on this receiver, such as {@code /hooks}. */
    public String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The requests received so far, in order. */
    public List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.stop(0);
    }

}
