package dev.failfast;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

/**
 * A server-sent event stream of a batch, read over real HTTP with the JDK client, line by
 * line, as a client reads it: a reader thread parses events into a queue the test takes
 * them from. {@link #close} disconnects.
 */
public final class SseClient implements AutoCloseable {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** An event as the client dispatches it; {@code id} is the last event id then. */
    public record Event(@Nullable String id, String name, JsonNode data) {

        /**
         * For a job event, {@code "<job id>:<state>"}; for others, the name and state.
         */
        public String summary() {
            return (name.equals("job") ? data.get("id").asString() : name) + ":" + data.path("state").asString();
        }
    }

    /** Put after the last event: the server closed the stream. */
    private static final Event END = new Event(null, "(end)", ApiClient.parse("{}"));

    private final int status;

    private final HttpHeaders headers;

    private final String body;

    private final @Nullable InputStream stream;

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

    private final List<Long> retries = new java.util.concurrent.CopyOnWriteArrayList<>();

    private volatile boolean ended;

    private SseClient(HttpResponse<InputStream> response) throws IOException {
        this.status = response.statusCode();
        this.headers = response.headers();
        if (status == 200) {
            this.stream = response.body();
            this.body = "";
            Thread.ofVirtual().name("test-sse-reader").start(this::read);
        }
        else {
            try (InputStream in = response.body()) {
                this.body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            this.stream = null;
        }
    }

    /** Opens the stream of {@code batchId} with {@code client}'s key. */
    public static SseClient open(ApiClient client, String batchId) {
        return open(client, batchId, null);
    }

    /** Opens the stream of {@code batchId}, resuming after {@code lastEventId} if set. */
    public static SseClient open(ApiClient client, String batchId, @Nullable String lastEventId) {
        return openPath(client, "/api/v1/batches/" + batchId + "/events", lastEventId);
    }

    /**
     * Opens the event stream at {@code path}, resuming after {@code lastEventId} if set.
     */
    public static SseClient openPath(ApiClient client, String path, @Nullable String lastEventId) {
        var request = HttpRequest.newBuilder(client.uri(path)).header("Accept", "text/event-stream");
        if (client.key() != null) {
            request.header("Authorization", "Bearer " + client.key());
        }
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            return new SseClient(
                    HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
        }
        catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int status() {
        return status;
    }

    public HttpHeaders headers() {
        return headers;
    }

    /** The body of a response other than 200 (a problem). */
    public JsonNode problem() {
        return ApiClient.parse(body);
    }

    /** The next event; fails if the stream ends or none comes within 30 s. */
    public Event next() {
        Event event = take();
        assertThat(isEnd(event)).as("the stream ended before the next event").isFalse();
        return event;
    }

    /** The next {@code n} events. */
    public List<Event> next(int n) {
        List<Event> taken = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            taken.add(next());
        }
        return taken;
    }

    /** Every event until the server closes the stream (within 30 s). */
    public List<Event> untilEnd() {
        List<Event> taken = new ArrayList<>();
        for (Event event = take(); !isEnd(event); event = take()) {
            taken.add(event);
        }
        return taken;
    }

    /** Whether the server closed the stream (and every event was taken). */
    public boolean ended() {
        return ended;
    }

    /** The {@code retry:} values the server sent, in milliseconds. */
    public List<Long> retries() {
        return List.copyOf(retries);
    }

    private static boolean isEnd(Event event) {
        return event.id() == null && event.name().equals(END.name());
    }

    private Event take() {
        try {
            Event event = events.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(event).as("no event within " + WAIT).isNotNull();
            return event;
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Disconnects, as a client that goes away. */
    @Override
    public void close() {
        if (stream != null) {
            try {
                stream.close();
            }
            catch (IOException e) {
                // closing anyway
            }
        }
    }

    private void read() {
        String lastId = null;
        try (var reader = new BufferedReader(
                new InputStreamReader(java.util.Objects.requireNonNull(stream), StandardCharsets.UTF_8))) {
            String name = null;
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        events
                            .add(new Event(lastId, name == null ? "message" : name, ApiClient.parse(data.toString())));
                    }
                    name = null;
                    data.setLength(0);
                }
                else if (line.startsWith("id:")) {
                    lastId = line.substring(3).strip();
                }
                else if (line.startsWith("event:")) {
                    name = line.substring(6).strip();
                }
                else if (line.startsWith("data:")) {
                    data.append(line.substring(5));
                }
                else if (line.startsWith("retry:")) {
                    retries.add(Long.parseLong(line.substring(6).strip()));
                }
            }
        }
        catch (IOException e) {
            // disconnected
        }
        finally {
            ended = true;
            events.add(END);
        }
    }

}
