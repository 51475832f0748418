package dev.failfast.engine;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** How the scenario tests' local targets answer an {@code http} job. */
final class TargetAnswers {

    private TargetAnswers() {
    }

    /** {@code {}} with {@code status} and {@code headers}, the exchange closed after. */
    static void json(HttpExchange exchange, int status, Map<String, String> headers) {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        headers.forEach(exchange.getResponseHeaders()::add);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        try {
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }
        catch (IOException e) {
            // The job was stopped and closed the connection.
        }
        finally {
            exchange.close();
        }
    }

}
