package dev.failfast.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The two ends of the {@code http} job benchmark ({@code bench/harness/http_jobs.py}), run as
 * a single source file ({@code java LoopbackHttp.java ...}), no dependencies:
 *
 * <ul>
 * <li>{@code serve PORT}: a JDK {@code HttpServer} on 127.0.0.1 answering every request
 * {@code 200} with a 2-byte body, on 32 threads (more than the 16 in flight on either side, so
 * it is never what they wait for);</li>
 * <li>{@code loop URL CONCURRENCY}: the baseline, a plain JDK {@code HttpClient} (HTTP/1.1, one
 * client) called by CONCURRENCY threads, each sending its next GET as soon as the last
 * answered. It reads lines {@code N} from stdin, sends N requests, and prints the seconds they
 * took; one long-lived JVM, JIT-warm like the service.</li>
 * </ul>
 */
public final class LoopbackHttp {

    private LoopbackHttp() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("serve")) {
            serve(Integer.parseInt(args[1]));
        }
        else {
            loop(URI.create(args[1]), Integer.parseInt(args[2]));
        }
    }

    private static void serve(int port) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
            byte[] body = "ok".getBytes(StandardCharsets.US_ASCII);
            server.createContext("/", exchange -> {
                exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.setExecutor(Executors.newFixedThreadPool(32));
            server.start();
            System.out.println("listening " + server.getAddress().getPort());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void loop(URI uri, int concurrency) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(uri).GET().build();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            int total = Integer.parseInt(line.trim());
            AtomicInteger next = new AtomicInteger();
            AtomicInteger failed = new AtomicInteger();
            long t0 = System.nanoTime();
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                workers.add(pool.submit(() -> {
                    while (next.getAndIncrement() < total) {
                        try {
                            HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                            if (response.statusCode() != 200) {
                                failed.incrementAndGet();
                            }
                        }
                        catch (Exception e) {
                            failed.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (var worker : workers) {
                worker.get();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.println(seconds + " " + failed.get());
        }
        pool.shutdown();
    }

}
