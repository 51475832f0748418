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
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A Failfast worker: runs the attempts of {@code remote:<name>} jobs the service hands out,
 * on a pool of {@code concurrency} threads, and stops each one the moment the service pushes
 * its cancel (the worker protocol of {@code /api/v1/workers}, docs/workers.md).
 *
 * <pre>{@code
 * try (FailfastWorker worker = FailfastWorker.builder(URI.create("http://localhost:8080"), apiKey)
 *         .concurrency(8).name("dl-host-1").build()) {
 *     worker.job("download", job -> {
 *         String url = job.params().get("url").asString();
 *         job.token().onCancel(connection::abort);
 *         return Map.of("bytes", download(url));
 *     });
 *     worker.run(); // until worker.stop()
 * }
 * }</pre>
 *
 * Inside: one thread claims attempts with a long poll for as many as there are free handler
 * threads; one thread follows the worker's event stream, where cancels arrive; one thread
 * sends heartbeats, which renew the lease, carry progress and bring back cancels the stream
 * may have missed. Each of them reconnects with a growing pause after a failure; when the
 * service no longer knows the session (its lease expired), the worker registers anew (the
 * attempts it held are lost: the service fails them with {@code WORKER_LOST}).
 */
public final class FailfastWorker implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(FailfastWorker.class.getName());

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private static final Duration MIN_BACKOFF = Duration.ofMillis(100);

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    /** How many cancels of attempts not (yet) claimed are kept, for a cancel that outruns its claim. */
    private static final int MAX_EARLY_CANCELS = 10_000;

    private enum State {

        NEW, RUNNING, STOPPING, STOPPED

    }

    /** A registration: the session's id, its heartbeat interval, and whether its stream is ready. */
    private record Session(String id, Duration heartbeatInterval, CountDownLatch ready) {

        String path() {
            return "api/v1/workers/" + Transport.segment(id);
        }

    }

    private final Transport transport;

    private final int concurrency;

    private final String name;

    private final Duration claimWait;

    private final Duration drainTimeout;

    private final Duration readyTimeout;

    private final Duration requestTimeout;

    /** False only in tests of the heartbeats' fallback: no event stream. */
    private final boolean followEvents;

    private final Map<String, JobHandler> handlers = new ConcurrentHashMap<>();

    private final Map<String, RunningAttempt> held = new ConcurrentHashMap<>();

    private final Map<String, String> earlyCancels = new ConcurrentHashMap<>();

    private final Semaphore slots;

    private final AtomicReference<State> state = new AtomicReference<>(State.NEW);

    /** Counted down when the worker begins to stop: every loop's pause ends at once. */
    private final CountDownLatch stopping = new CountDownLatch(1);

    private final CountDownLatch stopped = new CountDownLatch(1);

    private final Object registration = new Object();

    /** The worker's threads: a stop asked on one of them runs on a thread of its own. */
    private final Set<Thread> ownThreads = ConcurrentHashMap.newKeySet();

    private volatile Session session;

    private volatile Stream<String> openStream;

    /** Whether the claim thread is waiting on a claim's answer (rather than for a free thread). */
    private volatile boolean claimInFlight;

    private volatile ExecutorService handlerPool;

    private volatile ScheduledExecutorService heartbeats;

    private volatile ScheduledFuture<?> heartbeatTask;

    private volatile Thread claimer;

    private volatile Thread streamReader;

    private FailfastWorker(Builder builder) {
        this.transport = new Transport(builder.http, builder.baseUri, builder.apiKey, builder.requestTimeout);
        this.concurrency = builder.concurrency;
        this.name = builder.name;
        this.claimWait = builder.claimWait;
        this.drainTimeout = builder.drainTimeout;
        this.readyTimeout = builder.readyTimeout;
        this.requestTimeout = builder.requestTimeout;
        this.slots = new Semaphore(concurrency);
        this.followEvents = builder.followEvents;
    }

    /** A worker of the service at {@code baseUri} with this API key (scope {@code workers:run}). */
    public static Builder builder(URI baseUri, String apiKey) {
        return new Builder(baseUri, apiKey);
    }

    /**
     * Serves {@code remote:<name>} jobs with {@code handler}; before {@link #start()}.
     *
     * @throws IllegalArgumentException when the name is not {@code [a-z0-9][a-z0-9._-]{0,63}}
     * @throws IllegalStateException when the worker started already or the name is taken
     */
    public FailfastWorker job(String name, JobHandler handler) {
        Objects.requireNonNull(handler, "handler");
        String type = name.startsWith("remote:") ? name.substring("remote:".length()) : name;
        if (!NAME.matcher(type).matches()) {
            throw new IllegalArgumentException("A job name must match " + NAME + ": " + name);
        }
        if (state.get() != State.NEW) {
            throw new IllegalStateException("Register handlers before the worker starts");
        }
        if (handlers.putIfAbsent(type, handler) != null) {
            throw new IllegalStateException("A handler for " + type + " is registered already");
        }
        return this;
    }

    /**
     * Registers with the service and starts claiming; returns once the event stream is ready
     * (cancels reach this worker), or after the ready timeout, when the heartbeats bring them.
     *
     * @throws FailfastApiException when the service refuses the registration (a missing
     * scope, too many workers)
     * @throws UncheckedIOException when the service cannot be reached
     */
    public void start() {
        if (handlers.isEmpty()) {
            throw new IllegalStateException("No job handler: call job(name, handler) first");
        }
        if (!state.compareAndSet(State.NEW, State.RUNNING)) {
            throw new IllegalStateException("The worker was started already");
        }
        Session first;
        try {
            first = register();
        }
        catch (IOException e) {
            abandonStart();
            throw new UncheckedIOException(e);
        }
        catch (InterruptedException e) {
            abandonStart();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while registering", e);
        }
        catch (RuntimeException e) {
            abandonStart();
            throw e;
        }
        session = first;
        if (!isRunning()) {
            endSession(first); // stop() came while it registered
            return;
        }
        handlerPool = Executors.newFixedThreadPool(concurrency, threads("failfast-worker-job-"));
        heartbeats = Executors.newSingleThreadScheduledExecutor(threads("failfast-worker-heartbeat-"));
        long interval = Math.max(first.heartbeatInterval().toMillis(), 50);
        heartbeatTask = heartbeats.scheduleWithFixedDelay(this::heartbeat, interval, interval, TimeUnit.MILLISECONDS);
        streamReader = threads("failfast-worker-events-").newThread(followEvents ? this::followEvents : () -> {
        });
        streamReader.start();
        claimer = threads("failfast-worker-claim-").newThread(this::claimLoop);
        try {
            if (followEvents && !first.ready().await(readyTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                LOG.log(Level.WARNING, "The event stream of worker {0} is not ready after {1}: cancels come with the"
                        + " heartbeats until it is", first.id(), readyTimeout);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        claimer.start();
        LOG.log(Level.INFO, "Worker {0} ({1}) serves {2} with {3} threads", first.id(),
                name == null ? "unnamed" : name, handlers.keySet(),
                concurrency);
    }

    /**
     * Starts the worker when it is not running yet, and blocks until {@link #stop()}.
     *
     * @throws InterruptedException when this thread is interrupted (the worker is stopped then)
     */
    public void run() throws InterruptedException {
        if (state.get() == State.NEW) {
            start();
        }
        try {
            stopped.await();
        }
        catch (InterruptedException e) {
            stop();
            throw e;
        }
    }

    /**
     * Stops: claims no more attempts, lets the running handlers finish for the drain timeout,
     * cancels those still running (reason {@code WORKER_STOPPING}), then ends the session
     * ({@code DELETE}; attempts still held fail with {@code WORKER_LOST}). Returns when done;
     * a second call waits for the first. Called from a handler or an {@code onCancel} callback,
     * it starts the stop on another thread and returns at once.
     */
    public void stop() {
        if (ownThreads.contains(Thread.currentThread())) {
            // A handler or an onCancel callback stopping its worker: this thread would wait for
            // itself (and be interrupted by the stop), so the stop runs on one of its own.
            Thread stopper = new Thread(this::stop, "failfast-worker-stop");
            stopper.start();
            return;
        }
        if (state.compareAndSet(State.NEW, State.STOPPED)) {
            markStopped();
            return;
        }
        if (!state.compareAndSet(State.RUNNING, State.STOPPING)) {
            awaitStopped();
            return;
        }
        stopping.countDown();
        // start() may still be setting up on another thread: what it has not made yet is skipped.
        drainClaims();
        awaitHandlers(drainTimeout);
        for (RunningAttempt attempt : held.values()) {
            attempt.cancel("WORKER_STOPPING");
        }
        awaitHandlers(Duration.ofSeconds(5));
        if (heartbeatTask != null) {
            heartbeatTask.cancel(false);
        }
        if (heartbeats != null) {
            heartbeats.shutdownNow();
        }
        interrupt(streamReader);
        closeStream();
        if (handlerPool != null) {
            handlerPool.shutdownNow();
        }
        try {
            Session last = session;
            if (last != null) {
                endSession(last);
            }
        }
        finally {
            state.set(State.STOPPED);
            markStopped();
        }
    }

    /** {@code DELETE}s the session: what it still holds fails with {@code WORKER_LOST}. */
    private void endSession(Session last) {
        try {
            transport.send("DELETE", last.path(), null, Map.of(), requestTimeout);
            LOG.log(Level.INFO, "Worker {0} stopped", last.id());
        }
        catch (FailfastApiException e) {
            if (e.status() != 404) {
                LOG.log(Level.WARNING, "Worker {0} could not end its session: {1}", last.id(), e.getMessage());
            }
        }
        catch (IOException e) {
            LOG.log(Level.WARNING, "Worker {0} could not end its session (its lease expires instead): {1}", last.id(),
                    e.toString());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** The id of the worker's current session, or null before it registered. */
    public String id() {
        Session current = session;
        return current == null ? null : current.id();
    }

    /** Whether the worker has started and not begun to stop. */
    public boolean isRunning() {
        return state.get() == State.RUNNING;
    }

    /** How many attempts the worker holds now (claimed, not reported yet). */
    public int heldAttempts() {
        return held.size();
    }

    // --- registration ---

    private Session register() throws IOException, InterruptedException {
        ObjectNode request = Transport.JSON.createObjectNode();
        if (name != null) {
            request.put("name", name);
        }
        handlers.keySet().stream().sorted().forEach(request.putArray("types")::add);
        request.put("capacity", concurrency);
        JsonNode answer = transport.post("api/v1/workers", request);
        Duration interval = Duration.ofSeconds(5);
        String text = answer.path("heartbeatInterval").asString("");
        if (!text.isEmpty()) {
            interval = Duration.parse(text);
        }
        Session registered = new Session(answer.path("id").asString(), interval, new CountDownLatch(1));
        LOG.log(Level.DEBUG, "Worker registered as {0}, heartbeat every {1}", registered.id(), interval);
        return registered;
    }

    /**
     * The service no longer knows {@code stale}: the attempts it held are lost; registers anew
     * (once for all the threads that noticed), retrying until it works or the worker stops.
     */
    private void reRegister(Session stale) {
        synchronized (registration) {
            if (!stale.equals(session) || !isRunning()) {
                return;
            }
            LOG.log(Level.WARNING, "Worker {0} lost its session: registering again", stale.id());
            for (RunningAttempt attempt : held.values()) {
                if (attempt.sessionId.equals(stale.id())) {
                    attempt.cancel("WORKER_LOST");
                }
            }
            Backoff backoff = new Backoff();
            while (isRunning()) {
                try {
                    session = register();
                    break;
                }
                catch (IOException | FailfastApiException e) {
                    LOG.log(Level.WARNING, "Worker could not register again: {0}", e.getMessage());
                    if (!backoff.pause()) {
                        return;
                    }
                }
                catch (InterruptedException e) {
                    if (!isRunning()) {
                        return;
                    }
                }
            }
            // The stream reader may still follow the old session's stream: make it reconnect.
            if (Thread.currentThread() != streamReader) {
                closeStream();
                streamReader.interrupt();
            }
        }
    }

    // --- claims ---

    private void claimLoop() {
        Backoff backoff = new Backoff();
        while (isRunning()) {
            int asked = 0;
            Session current = session;
            try {
                slots.acquire();
                asked = 1 + slots.drainPermits();
                ObjectNode request = Transport.JSON.createObjectNode()
                    .put("max", asked)
                    .put("wait", claimWait.toString());
                JsonNode answer;
                claimInFlight = true;
                try {
                    answer = transport.send("POST", current.path() + "/claim", request, Map.of(),
                            claimWait.plus(requestTimeout));
                }
                finally {
                    claimInFlight = false;
                }
                int given = 0;
                for (JsonNode attempt : answer.path("attempts")) {
                    given++;
                    begin(current, attempt, given <= asked);
                }
                if (given > asked) {
                    LOG.log(Level.WARNING, "The service gave {0} attempts to a claim for {1}", given, asked);
                }
                slots.release(asked - Math.min(given, asked));
                asked = 0;
                backoff.reset();
            }
            catch (InterruptedException e) {
                // stop() interrupts the claim; anything else is no reason to stop claiming
            }
            catch (FailfastApiException e) {
                if (e.status() == 404) {
                    reRegister(current);
                }
                else {
                    LOG.log(Level.WARNING, "Claim refused: {0}", e.getMessage());
                    backoff.pause();
                }
            }
            catch (IOException e) {
                if (isRunning()) {
                    LOG.log(Level.WARNING, "Claim failed: {0}", e.toString());
                    backoff.pause();
                }
            }
            catch (RuntimeException e) {
                if (isRunning()) {
                    LOG.log(Level.WARNING, "Claim failed", e);
                    backoff.pause();
                }
            }
            finally {
                slots.release(asked);
            }
        }
    }

    private void begin(Session current, JsonNode claimed, boolean holdsSlot) {
        String attemptId = claimed.path("id").asString();
        String type = claimed.path("type").asString();
        JsonNode params = claimed.path("params");
        Job job = new Job(attemptId, claimed.path("batchId").asString(), claimed.path("jobId").asString(), type,
                claimed.path("attempt").asInt(1), params.isObject() ? params : Transport.JSON.createObjectNode());
        JobHandler handler = handlers.get(job.name());
        if (handler == null) {
            handler = unknown -> {
                throw new JobFailedException("NO_HANDLER", "This worker has no handler for " + unknown.type());
            };
        }
        RunningAttempt attempt = new RunningAttempt(current.id(), job, handler, this::report, holdsSlot);
        held.put(attemptId, attempt);
        String early = earlyCancels.remove(attemptId);
        if (early != null) {
            attempt.cancel(early);
        }
        try {
            handlerPool.execute(attempt);
        }
        catch (RejectedExecutionException stopping) {
            // stop() shut the pool down: the session's end fails the attempt (WORKER_LOST).
            held.remove(attemptId);
            if (holdsSlot) {
                slots.release();
            }
        }
    }

    private void report(RunningAttempt attempt, String outcome, ObjectNode body) {
        String path = "api/v1/workers/" + Transport.segment(attempt.sessionId) + "/attempts/"
                + Transport.segment(attempt.job.id()) + "/" + outcome;
        Backoff backoff = new Backoff();
        try {
            for (int tries = 1;; tries++) {
                try {
                    transport.post(path, body);
                    LOG.log(Level.DEBUG, "{0}: {1} reported", attempt.job, outcome);
                    return;
                }
                catch (FailfastApiException e) {
                    // 404/409: the attempt is no longer this worker's (lost lease, abandoned after a
                    // cancel, a new session): nothing to do.
                    Level level = e.status() == 404 || e.status() == 409 ? Level.DEBUG : Level.WARNING;
                    LOG.log(level, "{0}: the {1} report was refused: {2}", attempt.job, outcome, e.getMessage());
                    return;
                }
                catch (IOException e) {
                    if (tries >= 5 || !backoff.pause()) {
                        LOG.log(Level.WARNING, "{0}: the {1} report could not be sent: {2}", attempt.job, outcome,
                                e.toString());
                        return;
                    }
                }
                catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        finally {
            held.remove(attempt.job.id(), attempt);
            if (attempt.holdsSlot) {
                slots.release();
            }
        }
    }

    // --- cancels: the event stream, and the heartbeats as a fallback ---

    private void followEvents() {
        Backoff backoff = new Backoff();
        while (isRunning()) {
            Thread.interrupted();
            Session current = session;
            try {
                HttpResponse<Stream<String>> response = transport.stream(current.path() + "/events", Map.of());
                try (Stream<String> lines = response.body()) {
                    openStream = lines;
                    if (!isRunning()) {
                        return;
                    }
                    ServerSentEvent.Parser parser = new ServerSentEvent.Parser(event -> onEvent(current, event));
                    lines.forEach(parser::line);
                }
                finally {
                    openStream = null;
                }
                backoff.reset();
                if (current.equals(session) && isRunning()) {
                    // The stream ended (its lifetime, a restart): reconnect after a short pause.
                    backoff.pause();
                }
            }
            catch (FailfastApiException e) {
                if (e.status() == 404) {
                    reRegister(current);
                }
                else {
                    LOG.log(Level.WARNING, "Event stream refused: {0}", e.getMessage());
                    backoff.pause();
                }
            }
            catch (IOException | UncheckedIOException e) {
                if (isRunning() && current.equals(session)) {
                    LOG.log(Level.DEBUG, "Event stream broke: {0}", e.toString());
                    backoff.pause();
                }
            }
            catch (InterruptedException e) {
                // stop() or a new session: the loop decides
            }
            catch (RuntimeException e) {
                LOG.log(Level.WARNING, "Event stream failed", e);
                backoff.pause();
            }
        }
    }

    private void onEvent(Session current, ServerSentEvent event) {
        switch (event.event()) {
            case "ready" -> {
                current.ready().countDown();
                LOG.log(Level.DEBUG, "Event stream of worker {0} ready", current.id());
            }
            case "cancel" -> {
                JsonNode data = Transport.JSON.readTree(event.data());
                cancel(data.path("attemptId").asString(), data.path("reason").asString("BATCH_CANCELLED"));
            }
            case "lost" -> reRegister(current);
            default -> LOG.log(Level.DEBUG, "Event {0} on the stream of worker {1}", event.event(), current.id());
        }
    }

    /** Cancels a held attempt, or keeps the cancel for an attempt whose claim has not been read yet. */
    private void cancel(String attemptId, String reason) {
        RunningAttempt attempt = held.get(attemptId);
        if (attempt != null) {
            attempt.cancel(reason);
            return;
        }
        if (earlyCancels.size() >= MAX_EARLY_CANCELS) {
            earlyCancels.clear();
        }
        earlyCancels.put(attemptId, reason);
        // The claim may have been read meanwhile (it looks here after adding the attempt).
        attempt = held.get(attemptId);
        if (attempt != null && earlyCancels.remove(attemptId) != null) {
            attempt.cancel(reason);
        }
    }

    private void heartbeat() {
        Session current = session;
        if (!isRunning()) {
            return;
        }
        try {
            // "holding" names every attempt held: the service offers again one it handed over
            // but this worker never saw (a lost claim answer), and answers "unknown" for those it
            // no longer counts as this worker's (lost, or given up after a missed cancel).
            ObjectNode request = Transport.JSON.createObjectNode();
            ObjectNode progress = Transport.JSON.createObjectNode();
            ArrayNode holding = request.putArray("holding");
            for (RunningAttempt attempt : held.values()) {
                if (attempt.sessionId.equals(current.id())) {
                    holding.add(attempt.job.id());
                    JsonNode value = attempt.job.latestProgress();
                    if (value != null) {
                        progress.set(attempt.job.id(), value);
                    }
                }
            }
            if (!progress.isEmpty()) {
                request.set("progress", progress);
            }
            JsonNode answer = transport.post(current.path() + "/heartbeat", request);
            for (JsonNode cancelled : answer.path("cancelled")) {
                cancel(cancelled.path("attemptId").asString(), cancelled.path("reason").asString("BATCH_CANCELLED"));
            }
            for (JsonNode unknown : answer.path("unknown")) {
                RunningAttempt attempt = held.get(unknown.asString());
                if (attempt != null) {
                    attempt.cancel("UNKNOWN");
                }
            }
        }
        catch (FailfastApiException e) {
            if (e.status() == 404) {
                reRegister(current);
            }
            else {
                LOG.log(Level.WARNING, "Heartbeat refused: {0}", e.getMessage());
            }
        }
        catch (IOException | RuntimeException e) {
            if (isRunning()) {
                LOG.log(Level.WARNING, "Heartbeat failed: {0}", e.toString());
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // --- lifecycle helpers ---

    private void awaitHandlers(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<RunningAttempt> running = new ArrayList<>(held.values());
        try {
            while (!held.isEmpty() && System.nanoTime() - deadline < 0) {
                // Each report takes its attempt out of held; wait on a stop of ours meanwhile.
                stopped.await(Math.min(20, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)),
                        TimeUnit.MILLISECONDS);
            }
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!held.isEmpty()) {
            LOG.log(Level.DEBUG, "{0} of {1} attempts still running", held.size(), running.size());
        }
    }

    /**
     * Asks the service to answer the waiting claim at once and hand out nothing more, and
     * waits for the claim thread to take that answer (its attempts run as any others); only
     * when the service cannot be told is the claim aborted, and what it was given lost.
     */
    private void drainClaims() {
        Session current = session;
        Thread claiming = claimer;
        if (current == null || claiming == null) {
            interrupt(claiming);
            return;
        }
        try {
            transport.send("POST", current.path() + "/drain", null, Map.of(), requestTimeout);
            if (claimInFlight) {
                claiming.join(requestTimeout.toMillis());
            }
        }
        catch (FailfastApiException | IOException e) {
            LOG.log(Level.WARNING, "Worker {0} could not drain: {1}", current.id(), e.getMessage());
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        interrupt(claiming);
    }

    private static void interrupt(Thread thread) {
        if (thread != null) {
            thread.interrupt();
        }
    }

    private void closeStream() {
        Stream<String> lines = openStream;
        if (lines != null) {
            lines.close();
        }
    }

    /** The registration failed: the worker is stopped, with nothing to clean up. */
    private void abandonStart() {
        state.set(State.STOPPED);
        markStopped();
    }

    private void markStopped() {
        stopping.countDown();
        stopped.countDown();
    }

    private void awaitStopped() {
        try {
            stopped.await();
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ThreadFactory threads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + count.incrementAndGet());
            thread.setDaemon(true);
            ownThreads.add(thread);
            return thread;
        };
    }

    /** Pauses that double from 100 ms to 10 s, with jitter; a stop ends a pause at once. */
    private final class Backoff {

        private long next = MIN_BACKOFF.toMillis();

        /** False when the worker began to stop (meanwhile). */
        boolean pause() {
            long millis = next / 2 + ThreadLocalRandom.current().nextLong(next / 2 + 1);
            next = Math.min(next * 2, MAX_BACKOFF.toMillis());
            try {
                return !stopping.await(millis, TimeUnit.MILLISECONDS);
            }
            catch (InterruptedException e) {
                return isRunning();
            }
        }

        void reset() {
            next = MIN_BACKOFF.toMillis();
        }

    }

    /** Settings of a {@link FailfastWorker}. */
    public static final class Builder {

        private final URI baseUri;

        private final String apiKey;

        private int concurrency = 8;

        private String name;

        private Duration claimWait = Duration.ofSeconds(20);

        private Duration drainTimeout = Duration.ofSeconds(10);

        private Duration readyTimeout = Duration.ofSeconds(10);

        private Duration requestTimeout = Duration.ofSeconds(30);

        private HttpClient http;

        private boolean followEvents = true;

        private Builder(URI baseUri, String apiKey) {
            this.baseUri = Objects.requireNonNull(baseUri, "baseUri");
            this.apiKey = Objects.requireNonNull(apiKey, "apiKey");
        }

        /** How many attempts run at once (handler threads), 1..256; 8 by default. */
        public Builder concurrency(int threads) {
            if (threads < 1 || threads > 256) {
                throw new IllegalArgumentException("concurrency must be 1..256: " + threads);
            }
            this.concurrency = threads;
            return this;
        }

        /** A name for humans (at most 100 characters), shown with the service's workers. */
        public Builder name(String workerName) {
            if (workerName != null && workerName.length() > 100) {
                throw new IllegalArgumentException("A worker's name has at most 100 characters");
            }
            this.name = workerName;
            return this;
        }

        /** How long one claim waits for attempts (0..30 s); 20 s by default. */
        public Builder claimWait(Duration wait) {
            if (wait.isNegative() || wait.compareTo(Duration.ofSeconds(30)) > 0) {
                throw new IllegalArgumentException("claimWait must be 0..30 s: " + wait);
            }
            this.claimWait = wait;
            return this;
        }

        /** How long {@link FailfastWorker#stop()} lets running handlers finish before it cancels them; 10 s. */
        public Builder drainTimeout(Duration timeout) {
            this.drainTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** How long {@link FailfastWorker#start()} waits for the event stream to be ready; 10 s. */
        public Builder readyTimeout(Duration timeout) {
            this.readyTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** The timeout of each request but the claims' long polls (those add it to their wait); 30 s. */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /** An HTTP client of the caller's (proxy, TLS); by default one on HTTP/1.1. */
        public Builder httpClient(HttpClient client) {
            this.http = Objects.requireNonNull(client, "client");
            return this;
        }

        /** Tests only: without the event stream, cancels come with the heartbeats alone. */
        Builder withoutEventStream() {
            this.followEvents = false;
            return this;
        }

        public FailfastWorker build() {
            if (http == null) {
                http = Transport.defaultHttpClient();
            }
            return new FailfastWorker(this);
        }

    }

}
