package dev.failfast.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The seeds' plain Java approach, for the cancel-latency harness: a fixed pool of
 * {@code maxParallelism} threads, every job submitted, the first failure taken from an
 * {@link ExecutorCompletionService}, then {@code Future.cancel(true)} on every future.
 *
 * <p>Reads a workload (the batch request JSON of {@code sleep} jobs) and, for each line "run" on
 * standard input, runs it once on a fresh pool and prints one JSON trace line: times in
 * milliseconds since submission began, {@code failure} when the failing job threw, {@code
 * returned} when the calling code got control back, {@code jobs} as [id, start, end] for every
 * job whose body was entered. The harness (bench/harness) turns traces into figures.
 */
public final class SeedExecutorBaseline {

    private record Work(String id, long durationNanos, int steps, long failAfterNanos, String failMessage) {}

    private final List<Work> jobs;
    private final int parallelism;

    private SeedExecutorBaseline(List<Work> jobs, int parallelism) {
        this.jobs = jobs;
        this.parallelism = parallelism;
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        JsonNode workload = JsonMapper.builder().build().readTree(Files.readString(Path.of(args[0])));
        List<Work> jobs = new ArrayList<>();
        for (JsonNode job : workload.get("jobs")) {
            JsonNode params = job.get("params");
            jobs.add(new Work(job.get("id").asString(),
                    Duration.parse(params.get("duration").asString()).toNanos(),
                    params.path("steps").asInt(10),
                    params.has("failAfter") ? Duration.parse(params.get("failAfter").asString()).toNanos() : -1,
                    params.path("failMessage").asString("Simulated failure")));
        }
        var baseline = new SeedExecutorBaseline(jobs, workload.get("maxParallelism").asInt());
        var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.strip().equals("run")) {
                System.out.println(baseline.runOnce());
                System.out.flush();
            }
        }
    }

    private String runOnce() throws InterruptedException {
        long t0 = System.nanoTime();
        long[] start = new long[jobs.size()];
        long[] end = new long[jobs.size()];
        var failure = new AtomicLong(-1);
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        var completion = new ExecutorCompletionService<Void>(pool);
        List<Future<Void>> futures = new ArrayList<>();
        for (int i = 0; i < jobs.size(); i++) {
            futures.add(completion.submit(task(i, start, end, failure)));
        }
        for (int i = 0; i < jobs.size(); i++) {
            try {
                completion.take().get();
            } catch (ExecutionException e) {
                futures.forEach(f -> f.cancel(true));
                break;
            }
        }
        long returned = System.nanoTime();
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.MINUTES); // for the trace only: the seed does not wait
        var json = new StringBuilder(4096);
        json.append("{\"approach\":\"java-executor-cancel\",\"failure\":").append(ms(failure.get(), t0))
                .append(",\"returned\":").append(ms(returned, t0)).append(",\"jobs\":[");
        String sep = "";
        for (int i = 0; i < jobs.size(); i++) {
            if (start[i] != 0) {
                json.append(sep).append("[\"").append(jobs.get(i).id()).append("\",").append(ms(start[i], t0))
                        .append(',').append(ms(end[i], t0)).append(']');
                sep = ",";
            }
        }
        return json.append("]}").toString();
    }

    private Callable<Void> task(int index, long[] start, long[] end, AtomicLong failure) {
        Work work = jobs.get(index);
        return () -> {
            long begin = System.nanoTime();
            start[index] = begin;
            try {
                long stepNanos = work.durationNanos() / work.steps();
                for (int step = 1; step <= work.steps(); step++) {
                    if (Thread.currentThread().isInterrupted()) {
                        return null;
                    }
                    long stepEnd = begin + (step == work.steps() ? work.durationNanos() : step * stepNanos);
                    if (work.failAfterNanos() >= 0 && begin + work.failAfterNanos() <= stepEnd) {
                        sleepUntil(begin + work.failAfterNanos());
                        failure.compareAndSet(-1, System.nanoTime());
                        throw new IllegalStateException(work.failMessage());
                    }
                    sleepUntil(stepEnd);
                }
                return null;
            } catch (InterruptedException e) {
                return null; // cancelled
            } finally {
                end[index] = System.nanoTime();
            }
        };
    }

    private static void sleepUntil(long deadline) throws InterruptedException {
        long remaining;
        while ((remaining = deadline - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(remaining);
        }
    }

    private static String ms(long nanos, long t0) {
        return nanos < 0 ? "null" : String.format(Locale.ROOT, "%.3f", (nanos - t0) / 1e6);
    }
}
