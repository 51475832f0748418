package dev.failfast.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * Submits batches to Failfast and waits for them ({@code /api/v1/batches}, docs/api.md).
 * Thread-safe; one per service and API key. Problems come back as
 * {@link FailfastApiException}, transport failures as {@link UncheckedIOException}.
 *
 * <pre>{@code
 * FailfastClient client = FailfastClient.create(URI.create("http://localhost:8080"), apiKey);
 * BatchStatus batch = client.submit(Batch.builder().job("a", "sleep", Map.of("duration", "PT1S")).build());
 * BatchStatus done = client.awaitTerminal(batch.id(), Duration.ofMinutes(5));
 * }</pre>
 */
public final class FailfastClient {

    private static final System.Logger LOG = System.getLogger(FailfastClient.class.getName());

    /** The name of the reader's last event in its queue: a name no stream sends. */
    private static final String END = "(end of stream)";

    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** When the event stream cannot be used, how often {@link #awaitTerminal} reads the status. */
    private static final Duration POLL_INTERVAL = Duration.ofMillis(500);

    private final Transport transport;

    private FailfastClient(Transport transport) {
        this.transport = transport;
    }

    /** A client of the service at {@code baseUri} (such as {@code http://localhost:8080}) with this API key. */
    public static FailfastClient create(URI baseUri, String apiKey) {
        return create(baseUri, apiKey, Transport.defaultHttpClient());
    }

    /** The same, on an HTTP client of the caller's (proxy, TLS settings). */
    public static FailfastClient create(URI baseUri, String apiKey, HttpClient http) {
        return new FailfastClient(new Transport(http, baseUri, apiKey, REQUEST_TIMEOUT));
    }

    /**
     * Submits a batch: a {@link Batch}, its JSON as a string or a {@link JsonNode}, or any
     * object Jackson writes as a batch request. Returns its status (usually {@code QUEUED}).
     */
    public BatchStatus submit(Object batch) {
        return submit(batch, null);
    }

    /**
     * Submits a batch with an {@code Idempotency-Key} (null: none): sending the same request
     * with the same key again returns the batch it created.
     */
    public BatchStatus submit(Object batch, String idempotencyKey) {
        Object body = batch instanceof Batch request ? request.toJson() : batch;
        Map<String, String> headers = idempotencyKey == null ? Map.of() : Map.of("Idempotency-Key", idempotencyKey);
        return BatchStatus.from(call(() -> transport.send("POST", "api/v1/batches", body, headers, REQUEST_TIMEOUT)));
    }

    /** A batch's status. */
    public BatchStatus get(String batchId) {
        return BatchStatus.from(call(() -> transport.get(batchPath(batchId))));
    }

    /** Every job of a batch, in submission order (read page by page). */
    public List<JobStatus> jobs(String batchId) {
        List<JobStatus> jobs = new ArrayList<>();
        for (int page = 0;; page++) {
            int number = page;
            JsonNode answer = call(() -> transport.get(batchPath(batchId) + "/jobs?size=500&page=" + number));
            for (JsonNode job : answer.path("content")) {
                jobs.add(JobStatus.from(job));
            }
            if (page + 1 >= answer.path("page").path("totalPages").asInt()) {
                return List.copyOf(jobs);
            }
        }
    }

    /** One job, with its {@code attemptHistory} in {@link JobStatus#json()}. */
    public JobStatus job(String batchId, String jobId) {
        return JobStatus.from(call(() -> transport.get(batchPath(batchId) + "/jobs/" + Transport.segment(jobId))));
    }

    /** Cancels a batch (reason: null for none); its status once the cancellation is stored. */
    public BatchStatus cancel(String batchId, String reason) {
        Object body = reason == null ? Transport.JSON.createObjectNode()
                : Transport.JSON.createObjectNode().put("reason", reason);
        return BatchStatus.from(call(() -> transport.post(batchPath(batchId) + "/cancel", body)));
    }

    /**
     * Waits until the batch has ended and returns its terminal status. Follows the batch's
     * event stream ({@code GET /api/v1/batches/{id}/events}) to its terminal {@code batch}
     * event, reconnecting with {@code Last-Event-ID} when the stream ends early; reads the
     * status every half second instead while no stream can be opened (too many open).
     *
     * @throws TimeoutException when it has not ended within {@code timeout}
     * @throws InterruptedException when the calling thread is interrupted
     */
    public BatchStatus awaitTerminal(String batchId, Duration timeout) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String lastId = null;
        while (true) {
            BatchStream stream = new BatchStream(batchId, lastId);
            try {
                BatchStatus done = stream.follow(deadline);
                if (done != null) {
                    return done;
                }
                lastId = stream.lastId.get();
            }
            catch (FailfastApiException e) {
                if (e.status() != 429 && e.status() != 503) {
                    throw e;
                }
                LOG.log(Level.DEBUG, "No event stream for batch {0} ({1}): reading its status", batchId, e.status());
                BatchStatus status = get(batchId);
                if (status.isTerminal()) {
                    return status;
                }
                pause(deadline, POLL_INTERVAL);
            }
            catch (IOException e) {
                LOG.log(Level.DEBUG, "Event stream of batch {0} broke: {1}", batchId, e.toString());
                pause(deadline, POLL_INTERVAL);
            }
            BatchStatus status = get(batchId);
            if (status.isTerminal()) {
                return status;
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new TimeoutException("Batch " + batchId + " is still " + status.state() + " after " + timeout);
            }
        }
    }

    private static void pause(long deadline, Duration pause) throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, pause.toNanos()));
        }
    }

    /** One connection to a batch's event stream, read on its own thread into a queue. */
    private final class BatchStream {

        private final String batchId;

        private final String resumeFrom;

        private final AtomicReference<String> lastId = new AtomicReference<>();

        BatchStream(String batchId, String resumeFrom) {
            this.batchId = batchId;
            this.resumeFrom = resumeFrom;
            lastId.set(resumeFrom);
        }

        /** The terminal status, or null when the stream ended (or the deadline passed) first. */
        BatchStatus follow(long deadline) throws IOException, InterruptedException {
            Map<String, String> headers = resumeFrom == null ? Map.of() : Map.of("Last-Event-ID", resumeFrom);
            HttpResponse<Stream<String>> response = transport.stream(batchPath(batchId) + "/events", headers);
            BlockingQueue<ServerSentEvent> events = new LinkedBlockingQueue<>();
            ServerSentEvent end = new ServerSentEvent(END, "", null);
            Stream<String> lines = response.body();
            Thread reader = new Thread(() -> {
                ServerSentEvent.Parser parser = new ServerSentEvent.Parser(events::add);
                try {
                    lines.forEach(parser::line);
                }
                catch (UncheckedIOException e) {
                    LOG.log(Level.DEBUG, "Event stream of batch {0} ended: {1}", batchId, e.toString());
                }
                finally {
                    events.add(end);
                }
            }, "failfast-batch-events-" + batchId);
            reader.setDaemon(true);
            reader.start();
            try {
                while (true) {
                    long left = deadline - System.nanoTime();
                    ServerSentEvent event = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
                    if (event == null || event.event().equals(END)) {
                        return null;
                    }
                    if (event.id() != null) {
                        lastId.set(event.id());
                    }
                    if (event.event().equals("batch")) {
                        BatchStatus status = BatchStatus.from(Transport.JSON.readTree(event.data()));
                        if (status.isTerminal()) {
                            return status;
                        }
                    }
                }
            }
            finally {
                reader.interrupt();
                lines.close();
            }
        }

    }

    private static String batchPath(String batchId) {
        return "api/v1/batches/" + Transport.segment(batchId);
    }

    private interface Call {

        JsonNode run() throws IOException, InterruptedException;

    }

    private static JsonNode call(Call call) {
        try {
            return call.run();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while calling Failfast", e);
        }
    }

}
