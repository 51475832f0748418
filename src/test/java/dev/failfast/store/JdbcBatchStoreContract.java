package dev.failfast.store;

import static dev.failfast.batch.TestBatches.aBatchLike;
import static dev.failfast.batch.TestJobs.aJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.JobState;
import dev.failfast.batch.Owner;
import dev.failfast.batch.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.node.ObjectNode;

/**
 * The store contract on {@link JdbcBatchStore}, on a freshly migrated database per test.
 */
abstract class JdbcBatchStoreContract extends BatchStoreContract {

    HikariDataSource dataSource;

    private JdbcBatchStore store;

    private JdbcBatchStore reopened;

    private JdbcBatchStore written;

    abstract HikariDataSource freshDatabase();

    @BeforeEach
    void migrate() {
        dataSource = freshDatabase();
        TestDatabases.flyway(dataSource).migrate();
        // A long interval: reads must be right while changes wait in the buffer, not
        // because they were written.
        store = new JdbcBatchStore(dataSource, JSON, Duration.ofSeconds(30), 1000);
    }

    @AfterEach
    void closeAll() {
        store.close();
        if (reopened != null) {
            reopened.close();
        }
        if (written != null) {
            written.close();
        }
        dataSource.close();
    }

    @Override
    BatchStore store() {
        return store;
    }

    /**
     * Closes the store (which writes what it buffers) and opens a new one on the same
     * database.
     */
    @Override
    BatchStore reopened() {
        store.close();
        if (reopened == null) {
            reopened = new JdbcBatchStore(dataSource, JSON, Duration.ofSeconds(30), 1000);
        }
        return reopened;
    }

    /**
     * A second store on the same database, while this one stays open: it reads what is
     * written.
     */
    @Override
    BatchStore written() {
        if (written == null) {
            written = new JdbcBatchStore(dataSource, JSON, Duration.ofSeconds(30), 1000);
        }
        return written;
    }

    /**
     * Every bounded column holds the largest value the API lets through (a longer one is
     * a 400 there, or cut in {@link JobError}), and unbounded text holds params far
     * larger than any column limit: none of them can be a 500 from the database.
     */
    @Test
    void everyColumnHoldsTheLargestValueTheApiAccepts() {
        Map<String, String> labels = new java.util.HashMap<>();
        IntStream.range(0, 50).forEach(i -> labels.put("%02d".formatted(i) + "k".repeat(61), "v".repeat(256)));
        ObjectNode params = JSON.createObjectNode().put("big", "p".repeat(2 * 1024 * 1024));
        var jobSpec = new JobSpec("j".repeat(128), "t".repeat(64), params, Duration.ofDays(365),
                new RetryPolicy(100, Duration.ofDays(365), 100.0, Duration.ofDays(365)));
        var spec = new BatchSpec("n".repeat(200), labels, FailurePolicy.FAIL_FAST, Integer.MAX_VALUE, 10_000,
                Duration.ofDays(365), List.of(jobSpec));
        Batch batch = Batch.queued(UUID.randomUUID(), new Owner("t".repeat(64), "jwt:" + "s".repeat(190)), spec, T0);
        store().create(batch, List.of(Job.pending(jobSpec)), new IdempotencyKey("k".repeat(255), "f".repeat(64)));
        var error = new JobError("E".repeat(500), "m".repeat(100_000) + "\u0000", "x".repeat(1000));
        Job failed = Job.pending(jobSpec).started(1, T0).failed(error, false, T0.plusSeconds(1));
        var cause = new CancellationCause(CauseType.USER_REQUESTED, jobSpec.id(), error.type(), error.message(),
                "r".repeat(1000), "jwt:" + "s".repeat(190), T0, null);
        Batch ended = batch.started(T0).withJobMoved(Job.pending(jobSpec), failed).cancelling(cause);
        store().update(ended, List.of(failed));

        BatchStore read = reopened();

        Batch stored = read.findBatch(batch.id()).orElseThrow();
        assertThat(stored.spec().name()).hasSize(200);
        assertThat(stored.spec().labels()).isEqualTo(labels);
        assertThat(stored.owner()).isEqualTo(batch.owner());
        assertThat(stored.cancellation().reason()).hasSize(1000);
        assertThat(stored.cancellation().message()).hasSize(JobError.MAX_MESSAGE_LENGTH);
        Job job = read.findJob(batch.id(), jobSpec.id()).orElseThrow();
        assertThat(job.spec().params()).isEqualTo(params);
        assertThat(job.error()).isEqualTo(error);
        assertThat(job.error().message()).hasSize(JobError.MAX_MESSAGE_LENGTH).doesNotContain("\u0000");
        assertThat(job.error().exception()).hasSize(JobError.MAX_EXCEPTION_LENGTH);
        assertThat(read.findByIdempotencyKey(batch.owner().tenant(), "k".repeat(255))).isPresent();
    }

    /**
     * The largest history a job keeps, every message as long as a record keeps and made
     * of control characters (which JSON escapes to six characters each), fits its column.
     */
    @Test
    void theLargestAttemptHistoryFitsItsColumn() {
        Batch batch = batch(1, Map.of(), T0);
        Job job = jobs(1).getFirst();
        store().create(batch, List.of(job));
        var error = new JobError("E".repeat(JobError.MAX_TYPE_LENGTH), "\u0001".repeat(JobError.MAX_MESSAGE_LENGTH),
                "x".repeat(JobError.MAX_EXCEPTION_LENGTH), 503);
        Job deferred = job;
        for (int attempt = 1; attempt <= 200; attempt++) {
            deferred = deferred.started(attempt, T0.plusSeconds(attempt))
                .deferred(error, T0.plusSeconds(attempt).plusMillis(1))
                .backoff(Duration.ofDays(1), "r".repeat(200));
        }
        store().update(batch, List.of(deferred));

        Job stored = reopened().findJob(batch.id(), job.id()).orElseThrow();

        assertThat(stored).isEqualTo(deferred);
        assertThat(stored.history()).hasSize(50);
        assertThat(stored.droppedAttempts()).isEqualTo(150);
    }

    @Test
    void aDurableUpdateDuringAFlushIsWrittenAfterIt() throws Exception {
        Batch batch = batch(2, Map.of(), T0);
        List<Job> jobs = jobs(2);
        store.create(batch, jobs);
        Job running = new Job(jobs.get(0).spec(), JobState.RUNNING, 1, T0, null, null, null, false);
        Batch started = with(batch, BatchState.RUNNING, batch.counts().moved(JobState.PENDING, JobState.RUNNING), null,
                T0, null);
        store.update(started, List.of(running));
        var writing = new CountDownLatch(1);
        var goOn = new CountDownLatch(1);
        store.beforeFlushWrite(() -> {
            writing.countDown();
            awaitQuietly(goOn);
        });
        Job skipped = new Job(jobs.get(1).spec(), JobState.SKIPPED, 0, null, T0.plusSeconds(1), null, null, false);
        Batch cancelling = with(started, BatchState.CANCELLING,
                started.counts().moved(JobState.PENDING, JobState.SKIPPED),
                new CancellationCause(CauseType.USER_REQUESTED, null, null, "Cancelled", null, null, T0.plusSeconds(1),
                        null),
                T0, null);
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            Future<?> flush = threads.submit(() -> store.flush());
            assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
            store.beforeFlushWrite(() -> {
            });

            store.update(cancelling, List.of(skipped));
            Future<?> durable = threads.submit(() -> store.flush(cancelling.id()));
            await().atMost(Duration.ofSeconds(10)).until(() -> durable.isDone() || store.hasFlushWaiters());
            goOn.countDown();
            durable.get();
            flush.get();
        }

        assertSameBatch(written().findBatch(batch.id()).orElseThrow(), cancelling);
        assertThat(written().findJob(batch.id(), "job-0")).contains(running);
        assertThat(written().findJob(batch.id(), "job-1")).contains(skipped);
    }

    @Test
    void nulCharactersAreStoredAsReplacementCharacters() {
        Batch created = batch(1, Map.of("team", "a\u0000b"), T0);
        Batch batch = aBatchLike(created).named("x\u0000y").maxFailures(0).maxParallelism(1).deadline(null).build();
        List<Job> jobs = jobs(1);
        store().create(batch, jobs);
        Job failed = aJob(jobs.getFirst().spec()).failed()
            .startedAt(T0)
            .finishedAt(T0.plusSeconds(1))
            .error(new JobError(JobError.JOB_ERROR, "bad\u0000byte", null))
            .build();
        store().update(batch, List.of(failed));

        BatchStore view = reopened();

        assertThat(view.findBatch(batch.id()).orElseThrow().spec().name()).isEqualTo("x\uFFFDy");
        assertThat(view.findBatch(batch.id()).orElseThrow().spec().labels()).containsExactly(entry("team", "a\uFFFDb"));
        assertThat(view.findBatches(new BatchQuery(null, null, Map.of("team", "a\uFFFDb")), new PageRequest(0, 10))
            .content()).extracting(Batch::id).containsExactly(batch.id());
        assertThat(view.findJob(batch.id(), "job-0").orElseThrow().error().message()).isEqualTo("bad\uFFFDbyte");
    }

    @Test
    void aBatchTheDatabaseRefusesDoesNotHoldUpTheOthers() {
        new JdbcTemplate(dataSource).execute(
                "ALTER TABLE job ADD CONSTRAINT test_refuses_poison CHECK (error_message IS NULL OR error_message <> 'poison')");
        Batch refused = batch(1, Map.of(), T0);
        Batch written = batch(1, Map.of(), T0.plusSeconds(1));
        store().create(refused, jobs(1));
        store().create(written, jobs(1));
        store().update(refused, List.of(failedJob("poison")));
        store().update(written, List.of(failedJob("fine")));

        store().flush();

        var database = new JdbcTemplate(dataSource);
        String messages = "SELECT error_message FROM job WHERE batch_id = ?";
        assertThat(database.queryForList(messages, String.class, written.id())).containsExactly("fine");
        assertThat(database.queryForList(messages, String.class, refused.id())).containsOnlyNulls();
        assertThat(store().findJob(refused.id(), "job-0").orElseThrow().error().message())
            .as("still buffered, and read from the buffer")
            .isEqualTo("poison");

        database.execute("ALTER TABLE job DROP CONSTRAINT test_refuses_poison");
        store().flush();

        assertThat(database.queryForList(messages, String.class, refused.id())).containsExactly("poison");
    }

    @Test
    void aListReadDuringAFlushIsNoOlderThanASingleRead() throws Exception {
        Batch batch = batch(1, Map.of(), T0);
        List<Job> jobs = jobs(1);
        store.create(batch, jobs);
        Job done = new Job(jobs.getFirst().spec(), JobState.SUCCEEDED, 1, T0, T0.plusSeconds(1), null, null, false);
        Batch succeeded = with(batch, BatchState.SUCCEEDED, batch.counts().moved(JobState.PENDING, JobState.SUCCEEDED),
                null, T0, T0.plusSeconds(1));
        store.update(succeeded, List.of(done));
        var writing = new CountDownLatch(1);
        var goOn = new CountDownLatch(1);
        store.beforeFlushWrite(() -> {
            writing.countDown();
            awaitQuietly(goOn);
        });
        BatchQuery succeededOnly = new BatchQuery(null, BatchState.SUCCEEDED, Map.of());
        try (ExecutorService threads = Executors.newFixedThreadPool(2)) {
            Future<?> flush = threads.submit(() -> store.flush());
            assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(store.findBatch(batch.id()).orElseThrow().state()).isEqualTo(BatchState.SUCCEEDED);

            Future<Page<Batch>> listed = threads.submit(() -> store.findBatches(succeededOnly, new PageRequest(0, 10)));
            await().atMost(Duration.ofSeconds(10)).until(() -> listed.isDone() || store.hasFlushWaiters());
            goOn.countDown();

            assertThat(listed.get().content()).extracting(Batch::id).containsExactly(batch.id());
            assertThat(store.findUnfinished()).isEmpty();
            flush.get();
        }
    }

    @Test
    void flushesStartOneIntervalAfterThePreviousStartedHoweverLongTheyTake() {
        Duration interval = Duration.ofSeconds(1);
        Duration slowWrite = Duration.ofMillis(600);
        var timed = new JdbcBatchStore(dataSource, JSON, interval, 1000);
        try {
            Batch batch = batch(1, Map.of(), T0);
            timed.create(batch, jobs(1));
            List<Long> starts = new CopyOnWriteArrayList<>();
            timed.beforeFlushWrite(() -> {
                starts.add(System.nanoTime());
                if (starts.size() == 1) {
                    // The first flush is slow (a large batch, a busy database), and a
                    // change comes meanwhile.
                    await().pollDelay(slowWrite).atMost(slowWrite.multipliedBy(10)).until(() -> true);
                    timed.update(batch, List.of());
                }
            });
            timed.update(batch, List.of());

            await().atMost(Duration.ofSeconds(20)).until(() -> starts.size() >= 2);

            // Due one interval after the slow flush started, not one interval after it
            // ended.
            Duration betweenStarts = Duration.ofNanos(starts.get(1) - starts.getFirst());
            assertThat(betweenStarts).isBetween(interval.minusMillis(20), interval.plus(slowWrite.dividedBy(2)));
        }
        finally {
            timed.close();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Job failedJob(String message) {
        return aJob(jobs(1).getFirst().spec()).failed()
            .startedAt(T0)
            .finishedAt(T0.plusSeconds(1))
            .error(new JobError(JobError.JOB_ERROR, message, null))
            .build();
    }

}
