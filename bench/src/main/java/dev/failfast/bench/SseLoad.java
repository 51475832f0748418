package dev.failfast.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Server-sent events under load: submits a long batch of short {@code sleep} jobs, opens N event
 * streams on it at once, lets it run for a measuring window once every stream is open, then
 * cancels it and reads each stream to its terminal {@code batch} event. For every {@code job}
 * event whose latest server timestamp (startedAt or finishedAt) falls inside the window it takes
 * the delivery lag: receive time minus that timestamp (same machine, same clock).
 *
 * <p>Usage: {@code SseLoad <base-url> <subscribers> <jobs> <job-duration> <parallelism>
 * <window-seconds>}; prints one JSON line. Every request sends {@code Authorization: Bearer} with
 * the API key in the environment variable {@value #KEY_ENV} (a key with the scopes
 * batches:write, batches:read and batches:cancel, or admin; bench/harness/http_load.py passes the
 * bootstrap key of the service it started); with the variable unset, no such header is sent,
 * for a build from before authentication or one with failfast.security.enabled=false.
 */
public final class SseLoad {

    /** The environment variable that holds the API key. */
    static final String KEY_ENV = "FAILFAST_BENCH_KEY";

    private static final Pattern TIMESTAMP = Pattern.compile("\"(?:startedAt|finishedAt)\":\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        String base = args[0];
        int subscribers = Integer.parseInt(args[1]);
        int jobs = Integer.parseInt(args[2]);
        String duration = args[3];
        int parallelism = Integer.parseInt(args[4]);
        Duration window = Duration.ofSeconds(Long.parseLong(args[5]));
        String key = System.getenv(KEY_ENV);
        String authorization = key == null || key.isBlank() ? null : "Bearer " + key.strip();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            String batchId = submit(http, base, authorization, jobs, duration, parallelism);
            var open = new CountDownLatch(subscribers);
            var allOpen = new Instant[2]; // [window start, window end]
            List<Double> lags = Collections.synchronizedList(new ArrayList<>());
            var events = new AtomicInteger();
            var lagged = new AtomicInteger();
            var completed = new AtomicInteger();
            long openStart = System.nanoTime();
            double openMillis;
            try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < subscribers; i++) {
                    threads.submit(() -> {
                        subscribe(http, base, authorization, batchId, open, allOpen, lags, events, lagged, completed);
                        return null;
                    });
                }
                open.await(60, TimeUnit.SECONDS);
                openMillis = (System.nanoTime() - openStart) / 1e6;
                synchronized (allOpen) {
                    allOpen[0] = Instant.now();
                }
                Thread.sleep(window);
                synchronized (allOpen) {
                    allOpen[1] = Instant.now();
                }
                var cancelled = http.send(
                        request(base + "/api/v1/batches/" + batchId + "/cancel", authorization)
                                .POST(HttpRequest.BodyPublishers.noBody()).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (cancelled.statusCode() != 202) {
                    // The streams then end only with the batch: the figures still come, later.
                    System.err.println("cancel answered " + cancelled.statusCode() + ": " + cancelled.body());
                }
            }
            List<Double> sorted = lags.stream().sorted().toList();
            System.out.printf(Locale.ROOT,
                    "{\"subscribers\":%d,\"window_s\":%d,\"open_ms\":%.1f,\"completed\":%d,\"events\":%d,\"lagged\":%d,\"measured\":%d,"
                            + "\"lag_p50_ms\":%.2f,\"lag_p99_ms\":%.2f,\"lag_max_ms\":%.2f}%n",
                    subscribers, window.toSeconds(), openMillis, completed.get(), events.get(), lagged.get(), sorted.size(), pct(sorted, 50),
                    pct(sorted, 99), sorted.isEmpty() ? Double.NaN : sorted.getLast());
        }
    }

    /** A request to {@code url}, with the Authorization header if there is a key. */
    private static HttpRequest.Builder request(String url, String authorization) {
        var builder = HttpRequest.newBuilder(URI.create(url));
        return authorization == null ? builder : builder.header("Authorization", authorization);
    }

    private static String submit(HttpClient http, String base, String authorization, int jobs, String duration,
            int parallelism) throws IOException, InterruptedException {
        String jobList = IntStream.range(0, jobs)
                .mapToObj(i -> "{\"id\":\"s" + i + "\",\"type\":\"sleep\",\"params\":{\"duration\":\"" + duration
                        + "\",\"steps\":1}}")
                .collect(Collectors.joining(","));
        String body = "{\"name\":\"sse-load\",\"maxParallelism\":" + parallelism + ",\"jobs\":[" + jobList + "]}";
        var response = http.send(request(base + "/api/v1/batches", authorization)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher id = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"").matcher(response.body());
        if (response.statusCode() != 202 || !id.find()) {
            throw new IllegalStateException("submit failed: " + response.statusCode() + " " + response.body());
        }
        return id.group(1);
    }

    private static void subscribe(HttpClient http, String base, String authorization, String batchId,
            CountDownLatch open, Instant[] allOpen, List<Double> lags, AtomicInteger events, AtomicInteger lagged,
            AtomicInteger completed) throws IOException, InterruptedException {
        var request = request(base + "/api/v1/batches/" + batchId + "/events", authorization)
                .header("Accept", "text/event-stream").build();
        var response = http.send(request, HttpResponse.BodyHandlers.ofLines());
        open.countDown();
        if (response.statusCode() != 200) {
            String body = response.body().collect(Collectors.joining("\n"));
            System.err.println("event stream answered " + response.statusCode() + ": " + body);
            return;
        }
        String event = null;
        for (var lines = response.body().iterator(); lines.hasNext(); ) {
            String line = lines.next();
            if (line.startsWith("event:")) {
                event = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                Instant received = Instant.now();
                events.incrementAndGet();
                String data = line.substring(5);
                if ("lagged".equals(event)) {
                    lagged.incrementAndGet();
                } else if ("job".equals(event)) {
                    Instant latest = latestTimestamp(data);
                    Instant since;
                    Instant until;
                    synchronized (allOpen) {
                        since = allOpen[0];
                        until = allOpen[1];
                    }
                    if (latest != null && since != null && latest.isAfter(since)
                            && (until == null || latest.isBefore(until))) {
                        lags.add(Duration.between(latest, received).toNanos() / 1e6);
                    }
                } else if ("batch".equals(event) && data.matches(".*\"state\":\"(SUCCEEDED|FAILED|CANCELLED)\".*")) {
                    completed.incrementAndGet();
                    return;
                }
            }
        }
    }

    private static Instant latestTimestamp(String data) {
        Instant latest = null;
        Matcher m = TIMESTAMP.matcher(data);
        while (m.find()) {
            Instant t = Instant.parse(m.group(1));
            if (latest == null || t.isAfter(latest)) {
                latest = t;
            }
        }
        return latest;
    }

    private static double pct(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = Math.max(1, (int) Math.ceil(p / 100.0 * sorted.size()));
        return sorted.get(rank - 1);
    }
}
