package dev.failfast.store;

import static dev.failfast.batch.TestBatches.OWNER;
import static dev.failfast.batch.TestBatches.aBatch;
import static dev.failfast.batch.TestBatches.aBatchLike;
import static dev.failfast.batch.TestJobs.aJob;
import static dev.failfast.batch.TestJobs.sleepJob;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchPolicies;
import dev.failfast.batch.BatchState;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.ErrorAction;
import dev.failfast.batch.ErrorRule;
import dev.failfast.batch.HttpStatusMatch;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobCounts;
import dev.failfast.batch.JobError;
import dev.failfast.batch.JobState;
import dev.failfast.batch.JobTally;
import dev.failfast.batch.Owner;
import dev.failfast.batch.Redrive;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.batch.RunSummary;
import dev.failfast.batch.SuccessPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * What every {@link BatchStore} must do, run against each implementation (in memory, H2,
 * PostgreSQL) by a subclass that supplies a fresh, empty store.
 */
abstract class BatchStoreContract {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Instant T0 = Instant.parse("2026-11-25T10:00:00.123Z");

    private long nextId = 1;

    /** The store under test, empty at the start of each test. */
    abstract BatchStore store();

    /**
     * The same data seen through a new store instance (for a durable store: after a
     * restart).
     */
    abstract BatchStore reopened();

    /**
     * What is written: the data seen through another store instance while this one stays
     * open, its buffer unwritten (for a durable store: what a restart after kill -9 would
     * find).
     */
    abstract BatchStore written();

    @Test
    void createdBatchAndJobsAreReadBack() {
        Batch batch = batch(3, Map.of("team", "data"), T0);
        List<Job> jobs = jobs(3);
        store().create(batch, jobs);

        Batch found = store().findBatch(batch.id()).orElseThrow();
        assertSameBatch(found, batch);
        assertThat(store().findJob(batch.id(), "job-1")).contains(jobs.get(1));
        Page<Job> page = store().findJobs(batch.id(), null, new PageRequest(0, 2));
        assertThat(page.content()).containsExactly(jobs.get(0), jobs.get(1));
        assertThat(page.totalElements()).isEqualTo(3);
        assertThat(store().findJob(batch.id(), "nope")).isEmpty();
        assertThat(store().findBatch(UUID.randomUUID())).isEmpty();
    }

    @Test
    void updatesReplaceTheBatchAndTheChangedJobsAndAreReadAtOnceAndAfterReopening() {
        Batch batch = batch(3, Map.of(), T0);
        List<Job> jobs = jobs(3);
        store().create(batch, jobs);

        Job running = aJob(jobs.get(0).spec()).running().startedAt(T0.plusSeconds(1)).build();
        Batch started = aBatchLike(batch).running()
            .startedAt(T0.plusSeconds(1))
            .counts(batch.counts().moved(JobState.PENDING, JobState.RUNNING))
            .build();
        store().update(started, List.of(running));
        var result = JSON.createObjectNode().put("rows", 42);
        Job succeeded = aJob(running.spec()).succeeded()
            .startedAt(running.startedAt())
            .finishedAt(T0.plusSeconds(2))
            .result(result)
            .build();
        Job failed = aJob(jobs.get(1).spec()).failed()
            .attempts(2)
            .abandoned()
            .startedAt(T0.plusSeconds(1))
            .finishedAt(T0.plusSeconds(3))
            .error(new JobError("HTTP_STATUS", "500 from upstream", "java.io.IOException"))
            .build();
        var cause = new CancellationCause(CauseType.JOB_FAILED, "job-1", "HTTP_STATUS", "500 from upstream", null, null,
                T0.plusSeconds(3), T0.plusSeconds(4));
        JobCounts counts = started.counts()
            .moved(JobState.RUNNING, JobState.SUCCEEDED)
            .moved(JobState.PENDING, JobState.FAILED);
        Batch ended = aBatchLike(started).failed()
            .finishedAt(T0.plusSeconds(4))
            .counts(counts)
            .cancellation(cause)
            .build();
        store().update(ended, List.of(succeeded, failed));

        // The store itself first (changes may still be buffered), then a new one on the
        // same data.
        for (Supplier<BatchStore> views : List.<Supplier<BatchStore>>of(this::store, this::reopened)) {
            BatchStore view = views.get();
            assertSameBatch(view.findBatch(batch.id()).orElseThrow(), ended);
            assertThat(view.findJob(batch.id(), "job-0")).contains(succeeded);
            assertThat(view.findJob(batch.id(), "job-1")).contains(failed);
            Page<Job> pending = view.findJobs(batch.id(), JobState.PENDING, new PageRequest(0, 10));
            assertThat(pending.content()).containsExactly(jobs.get(2));
            assertThat(pending.totalElements()).isEqualTo(1);
        }
    }

    @Test
    void aDurableUpdateIsWrittenWithWhatWasBufferedOfItsBatchBeforeItReturns() {
        Batch batch = batch(3, Map.of(), T0);
        Batch otherBatch = batch(1, Map.of(), T0.plusSeconds(1));
        List<Job> jobs = jobs(3);
        store().create(batch, jobs);
        store().create(otherBatch, jobs(1));
        Job running = new Job(jobs.get(0).spec(), JobState.RUNNING, 1, T0.plusSeconds(1), null, null, null, false);
        Batch started = with(batch, BatchState.RUNNING, batch.counts().moved(JobState.PENDING, JobState.RUNNING), null,
                T0.plusSeconds(1), null);
        store().update(started, List.of(running));
        Batch otherStarted = with(otherBatch, BatchState.RUNNING, otherBatch.counts(), null, T0.plusSeconds(1), null);
        store().update(otherStarted, List.of());
        var cause = new CancellationCause(CauseType.USER_REQUESTED, null, null, "Cancelled by a client", "wrong input",
                "key:alice", T0.plusSeconds(2), null);
        List<Job> skipped = jobs.subList(1, 3)
            .stream()
            .map(job -> new Job(job.spec(), JobState.SKIPPED, 0, null, T0.plusSeconds(2), null, null, false))
            .toList();
        Batch cancelling = with(started, BatchState.CANCELLING,
                started.counts().moved(JobState.PENDING, JobState.SKIPPED).moved(JobState.PENDING, JobState.SKIPPED),
                cause, started.startedAt(), null);

        store().update(cancelling, skipped);
        store().flush(batch.id());

        for (BatchStore view : List.of(written(), store())) {
            assertSameBatch(view.findBatch(batch.id()).orElseThrow(), cancelling);
            assertThat(view.findJob(batch.id(), "job-0")).as("buffered before, written with it").contains(running);
            assertThat(view.findJobs(batch.id(), JobState.SKIPPED, new PageRequest(0, 10)).content())
                .containsExactlyElementsOf(skipped);
        }
        assertSameBatch(store().findBatch(otherBatch.id()).orElseThrow(), otherStarted);
    }

    @Test
    void attemptHistoryAndStopReportAreKeptAndAListLeavesTheHistoryOut() {
        Batch batch = batch(2, Map.of(), T0);
        List<Job> jobs = jobs(2);
        store().create(batch, jobs);
        var tooMany = new JobError(JobError.HTTP_STATUS, "429 Too Many Requests",
                "dev.failfast.job.RetryLaterException", 429);
        Job deferredTwice = jobs.get(0)
            .started(1, T0.plusSeconds(1))
            .deferred(tooMany, T0.plusSeconds(2))
            .backoff(Duration.ofSeconds(30), "Retry-After asked PT1M, capped to PT30S")
            .started(2, T0.plusSeconds(32))
            .failed(new JobError(JobError.TIMEOUT, "Attempt exceeded the job's timeout of PT5S", null), true,
                    T0.plusSeconds(37));
        Job cancelled = jobs.get(1).started(1, T0.plusSeconds(1)).cancelled(false, T0.plusSeconds(37));
        Batch running = batch.started(T0.plusSeconds(1))
            .withJobMoved(jobs.get(0), jobs.get(0).started(1, T0.plusSeconds(1)))
            .withJobMoved(jobs.get(1), jobs.get(1).started(1, T0.plusSeconds(1)));
        Batch stopping = running.withJobMoved(jobs.get(0).started(1, T0.plusSeconds(1)), deferredTwice)
            .cancelling(CancellationCause.jobFailed(CauseType.JOB_FAILED, "job-0", deferredTwice.error(),
                    T0.plusSeconds(37)));
        Batch ended = stopping.withJobMoved(jobs.get(1).started(1, T0.plusSeconds(1)), cancelled)
            .endedIfDone(T0.plusSeconds(37));
        assertThat(ended.cancellation().report().discardedJobSeconds()).isEqualTo(36.0);
        store().update(ended, List.of(deferredTwice, cancelled));

        for (Supplier<BatchStore> views : List.<Supplier<BatchStore>>of(this::store, this::reopened)) {
            BatchStore view = views.get();
            assertSameBatch(view.findBatch(batch.id()).orElseThrow(), ended);
            assertThat(view.findJob(batch.id(), "job-0")).contains(deferredTwice);
            assertThat(view.findJob(batch.id(), "job-0").orElseThrow().history().getFirst().error().httpStatus())
                .isEqualTo(429);
            assertThat(view.findJobs(batch.id(), null, new PageRequest(0, 10)).content()).as("what an engine reads")
                .containsExactly(deferredTwice, cancelled);
            assertThat(view.listJobs(batch.id(), null, new PageRequest(0, 10)).content()).as("what a list shows")
                .containsExactly(deferredTwice.withoutHistory(), cancelled.withoutHistory())
                .allSatisfy(job -> assertThat(job.history()).isEmpty());
            assertThat(view.listJobs(batch.id(), JobState.CANCELLED, new PageRequest(0, 10)).content())
                .containsExactly(cancelled.withoutHistory());
        }
    }

    @Test
    void batchesAreListedNewestFirstFilteredByStateAndLabels() {
        Batch a = batch(1, Map.of("team", "data", "env", "prod"), T0);
        Batch b = batch(1, Map.of("team", "data"), T0.plusSeconds(1));
        Batch c = batch(1, Map.of("team", "web"), T0.plusSeconds(2));
        for (Batch batch : List.of(a, b, c)) {
            store().create(batch, jobs(1));
        }
        store().update(aBatchLike(c).cancelled()
            .startedAt(null)
            .finishedAt(T0.plusSeconds(3))
            .counts(c.counts().moved(JobState.PENDING, JobState.SKIPPED))
            .cancellation(
                    new CancellationCause(CauseType.USER_REQUESTED, null, null, "Cancelled", "why", "jwt:bob", T0, T0))
            .build(), List.of());

        Page<Batch> all = store().findBatches(BatchQuery.ALL, new PageRequest(0, 2));
        assertThat(all.content()).extracting(Batch::id).containsExactly(c.id(), b.id());
        assertThat(all.totalElements()).isEqualTo(3);
        assertThat(store().findBatches(BatchQuery.ALL, new PageRequest(1, 2)).content()).extracting(Batch::id)
            .containsExactly(a.id());
        assertThat(store().findBatches(new BatchQuery(null, null, Map.of("team", "data")), new PageRequest(0, 10))
            .content()).extracting(Batch::id).containsExactly(b.id(), a.id());
        assertThat(store()
            .findBatches(new BatchQuery(null, null, Map.of("team", "data", "env", "prod")), new PageRequest(0, 10))
            .content()).extracting(Batch::id).containsExactly(a.id());
        Page<Batch> cancelled = store().findBatches(new BatchQuery(null, BatchState.CANCELLED, Map.of()),
                new PageRequest(0, 10));
        assertThat(cancelled.content()).extracting(Batch::id).containsExactly(c.id());
        assertThat(cancelled.content().getFirst().cancellation()).isNotNull();
    }

    @Test
    void deleteRemovesTheBatchWithItsJobs() {
        Batch batch = batch(2, Map.of("k", "v"), T0);
        store().create(batch, jobs(2));
        store().update(aBatchLike(batch).cancelled().startedAt(null).finishedAt(T0).build(), List.of());

        assertThat(store().delete(batch.id())).isTrue();
        assertThat(store().findBatch(batch.id())).isEmpty();
        assertThat(store().findJob(batch.id(), "job-0")).isEmpty();
        assertThat(store().findJobs(batch.id(), null, new PageRequest(0, 10)).content()).isEmpty();
        assertThat(store().delete(batch.id())).isFalse();
        assertThat(reopened().findBatch(batch.id())).isEmpty();
    }

    @Test
    void aBatchKeepsItsOwnerAndListsFilterByTenant() {
        Batch ours = batch(1, Map.of(), T0);
        Batch theirs = aBatchLike(batch(1, Map.of(), T0.plusSeconds(1))).owner(new Owner("team-b", "jwt:carol"))
            .build();
        store().create(ours, jobs(1));
        store().create(theirs, jobs(1));

        assertThat(reopened().findBatch(theirs.id())).map(Batch::owner).contains(new Owner("team-b", "jwt:carol"));
        assertThat(store().findBatches(new BatchQuery("team-b", null, Map.of()), new PageRequest(0, 10)).content())
            .extracting(Batch::id)
            .containsExactly(theirs.id());
        assertThat(store().findBatches(new BatchQuery(OWNER.tenant(), null, Map.of()), new PageRequest(0, 10)))
            .satisfies(page -> assertThat(page.totalElements()).isOne())
            .extracting(Page::content)
            .satisfies(content -> assertThat(content).extracting(Batch::id).containsExactly(ours.id()));
        assertThat(store().findBatches(BatchQuery.ALL, new PageRequest(0, 10)).totalElements()).isEqualTo(2);
    }

    @Test
    void twoTenantsMayUseTheSameIdempotencyKey() {
        Batch ours = batch(1, Map.of(), T0);
        Batch theirs = aBatchLike(batch(1, Map.of(), T0.plusSeconds(1))).owner(new Owner("team-b", "jwt:carol"))
            .build();
        store().create(ours, jobs(1), new IdempotencyKey("same", "hash-a"));
        store().create(theirs, jobs(1), new IdempotencyKey("same", "hash-b"));

        assertThat(reopened().findByIdempotencyKey(OWNER.tenant(), "same"))
            .contains(new KeyedBatch(ours.id(), "hash-a"));
        assertThat(reopened().findByIdempotencyKey("team-b", "same")).contains(new KeyedBatch(theirs.id(), "hash-b"));
    }

    @Test
    void anIdempotencyKeyBelongsToOneBatchAndExpiresWithIt() {
        Batch first = batch(1, Map.of(), T0);
        store().create(first, jobs(1), new IdempotencyKey("key-1", "hash-a"));

        assertThat(store().findByIdempotencyKey("default", "key-1")).contains(new KeyedBatch(first.id(), "hash-a"));
        assertThat(store().findByIdempotencyKey("default", "key-2")).isEmpty();
        assertThat(store().findByIdempotencyKey("other", "key-1")).as("keys are each tenant's own").isEmpty();
        Batch second = batch(1, Map.of(), T0.plusSeconds(1));
        assertThatThrownBy(() -> store().create(second, jobs(1), new IdempotencyKey("key-1", "hash-b")))
            .isInstanceOf(DuplicateIdempotencyKeyException.class);
        assertThat(store().findBatch(second.id())).isEmpty();

        store().delete(first.id());
        assertThat(store().findByIdempotencyKey("default", "key-1")).isEmpty();
        store().create(second, jobs(1), new IdempotencyKey("key-1", "hash-b"));
        assertThat(reopened().findByIdempotencyKey("default", "key-1")).contains(new KeyedBatch(second.id(), "hash-b"));
    }

    @Test
    void unfinishedBatchesAreFoundOldestFirst() {
        Batch queued = batch(1, Map.of(), T0);
        Batch running = batch(1, Map.of(), T0.plusSeconds(1));
        Batch done = batch(1, Map.of(), T0.plusSeconds(2));
        for (Batch batch : List.of(queued, running, done)) {
            store().create(batch, jobs(1));
        }
        store().update(aBatchLike(running).running().startedAt(T0).build(), List.of());
        store().update(aBatchLike(done).succeeded().startedAt(T0).finishedAt(T0).build(), List.of());

        assertThat(reopened().findUnfinished()).extracting(Batch::id).containsExactly(queued.id(), running.id());
    }

    @Test
    void retentionDeletesOnlyTerminalBatchesThatFinishedBeforeTheCutoff() {
        Batch old = batch(2, Map.of(), T0);
        Batch recent = batch(1, Map.of(), T0.plusSeconds(1));
        Batch active = batch(1, Map.of(), T0.plusSeconds(2));
        for (Batch batch : List.of(old, recent, active)) {
            store().create(batch, jobs(batch.counts().total()));
        }
        store().update(aBatchLike(old).succeeded().startedAt(T0).finishedAt(T0.plusSeconds(10)).build(), List.of());
        store().update(aBatchLike(recent).failed().startedAt(T0).finishedAt(T0.plusSeconds(100)).build(), List.of());
        store().update(aBatchLike(active).running().startedAt(T0).build(), List.of());

        assertThat(store().deleteFinishedBefore(T0.plusSeconds(50))).isEqualTo(1);
        assertThat(store().findBatch(old.id())).isEmpty();
        assertThat(store().findJob(old.id(), "job-0")).isEmpty();
        assertThat(store().findBatch(recent.id())).isPresent();
        assertThat(store().findBatch(active.id())).isPresent();
    }

    @Test
    void aLargeBatchIsStoredAndUpdatedWhole() {
        int n = 20_000;
        Batch batch = batch(n, Map.of(), T0);
        List<Job> jobs = jobs(n);
        store().create(batch, jobs);
        Batch current = batch;
        for (Job job : jobs) {
            Job done = aJob(job.spec()).succeeded().startedAt(T0).finishedAt(T0.plusMillis(1)).build();
            current = aBatchLike(current).running()
                .startedAt(T0)
                .counts(current.counts().moved(JobState.PENDING, JobState.SUCCEEDED))
                .build();
            store().update(current, List.of(done));
        }
        BatchStore view = reopened();
        assertThat(view.findBatch(batch.id()).orElseThrow().counts().succeeded()).isEqualTo(n);
        Page<Job> last = view.findJobs(batch.id(), JobState.SUCCEEDED, new PageRequest(n / 1000 - 1, 1000));
        assertThat(last.content()).hasSize(1000);
        assertThat(last.content().getLast().id()).isEqualTo("job-" + (n - 1));
        assertThat(view.findJobs(batch.id(), JobState.PENDING, new PageRequest(0, 10)).content()).isEmpty();
    }

    @Test
    void aBatchKeepsItsPoliciesTallyAndVerdicts() {
        var retry = new RetryPolicy(4, Duration.ofMillis(200), 1.5, Duration.ofSeconds(5));
        var policies = new BatchPolicies(0.25, 2,
                List.of(new ErrorRule(JobError.IO, null, "java.net.ConnectException", Pattern.compile("refused|reset"),
                        ErrorAction.RETRY, retry),
                        new ErrorRule(null, HttpStatusMatch.parse("404"), null, null, ErrorAction.IGNORE, null),
                        new ErrorRule("HTTP_STATUS", HttpStatusMatch.parse("4xx"), null, null, ErrorAction.FAIL_BATCH,
                                null),
                        new ErrorRule(null, null, null, null, ErrorAction.COUNT, null)),
                new SuccessPolicy.JobIds(new LinkedHashSet<>(List.of("job-2", "job-0"))));
        Batch batch = aBatchLike(batch(3, Map.of(), T0)).maxFailures(null).policies(policies).build();
        List<Job> jobs = jobs(3);
        store().create(batch, jobs);
        Job running = jobs.get(1).started(1, T0);
        Job ignored = running.failedIgnored(
                new JobError(JobError.HTTP_STATUS, "404 from upstream", "dev.failfast.job.JobFailedException", 404),
                false, T0.plusSeconds(1));
        var cause = CancellationCause.failBatchRule("onError[2]", "job-1",
                new JobError(JobError.HTTP_STATUS, "400", null, 400), T0.plusSeconds(1));
        Batch cancelling = aBatchLike(batch).cancelling(cause)
            .counts(new JobCounts(3, 2, 0, 0, 1, 0, 0))
            .tally(new JobTally(1, 0, 1_500))
            .build();
        store().update(cancelling, List.of(ignored));

        for (Supplier<BatchStore> views : List.<Supplier<BatchStore>>of(this::store, this::reopened)) {
            BatchStore view = views.get();
            Batch found = view.findBatch(batch.id()).orElseThrow();
            assertSameBatch(found, cancelling);
            assertThat(found.spec().policies()).isEqualTo(policies);
            assertThat(found.spec().maxFailures()).as("no absolute limit").isNull();
            assertThat(found.cancellation().rule()).isEqualTo("onError[2]");
            assertThat(found.tally()).isEqualTo(new JobTally(1, 0, 1_500));
            Job read = view.findJob(batch.id(), "job-1").orElseThrow();
            assertThat(read.ignored()).isTrue();
            assertThat(read.error().httpStatus()).isEqualTo(404);
            assertThat(view.findJob(batch.id(), "job-0").orElseThrow().ignored()).isFalse();
        }
    }

    @Test
    void aRedrivenBatchKeepsItsPastRunsItsRedriveAndItsJobsRuns() {
        Batch batch = aBatchLike(batch(3, Map.of(), T0)).maxFailures(0).build();
        List<Job> created = jobs(3);
        store().create(batch, created);
        var failure = new JobError(JobError.JOB_ERROR, "Simulated failure", "java.lang.IllegalStateException");

        // Run 1: job-0 succeeds, job-1 fails the batch, job-2 never starts.
        Job job0 = created.get(0).started(1, T0.plusSeconds(1));
        Job job1 = created.get(1).started(1, T0.plusSeconds(1));
        Job job2 = created.get(2);
        Batch run1 = batch.started(T0.plusSeconds(1))
            .withJobMoved(created.get(0), job0)
            .withJobMoved(created.get(1), job1);
        Job succeeded = job0.succeeded(JSON.createObjectNode().put("ok", true), T0.plusSeconds(2));
        Job failed = job1.failed(failure, false, T0.plusSeconds(3));
        run1 = run1.withJobMoved(job0, succeeded).withJobMoved(job1, failed);
        run1 = run1.cancelling(run1.causeAfterMove(failed, T0.plusSeconds(3)));
        Job skipped = job2.stoppedWhilePending(T0.plusSeconds(3));
        run1 = run1.withJobMoved(job2, skipped).endedIfDone(T0.plusSeconds(3));
        assertThat(run1.state()).isEqualTo(BatchState.FAILED);
        assertThat(run1.cancellation().report().neverStarted()).isOne();
        store().update(run1, List.of(succeeded, failed, skipped));

        // The first redrive, with an Idempotency-Key: job-1 and job-2 run again as run 2.
        var first = new Redrive(T0.plusSeconds(60), "key:test", 2, "redrive-1", "fingerprint-1");
        Batch run2 = run1.redriven(first);
        Job again1 = failed.redriven(run2.run());
        Job again2 = skipped.redriven(run2.run());
        run2 = run2.withJobMoved(failed, again1).withJobMoved(skipped, again2);
        store().update(run2, List.of(again1, again2));
        assertReadBack(run2, succeeded, again1, again2);

        // Run 2: a client cancels it while both run; job-2 ignores the interrupt.
        Job started1 = again1.started(1, T0.plusSeconds(61));
        Job started2 = again2.started(1, T0.plusSeconds(61));
        Batch stopping = run2.started(T0.plusSeconds(61))
            .withJobMoved(again1, started1)
            .withJobMoved(again2, started2)
            .cancelling(CancellationCause.userRequested("enough", "jwt:alice", T0.plusSeconds(62)));
        Job cancelled1 = started1.cancelled(false, T0.plusSeconds(63));
        Job cancelled2 = started2.cancelled(true, T0.plusSeconds(64));
        Batch ended2 = stopping.withJobMoved(started1, cancelled1)
            .withJobMoved(started2, cancelled2)
            .endedIfDone(T0.plusSeconds(64));
        assertThat(ended2.state()).isEqualTo(BatchState.CANCELLED);
        assertThat(ended2.cancellation().report().abandoned()).isOne();
        store().update(ended2, List.of(cancelled1, cancelled2));

        // The second redrive: job-2 alone, as run 3.
        var second = new Redrive(T0.plusSeconds(120), "jwt:alice", 1, "redrive-2", "fingerprint-2");
        Batch run3 = ended2.redriven(second);
        Job again2Twice = cancelled2.redriven(run3.run());
        run3 = run3.withJobMoved(cancelled2, again2Twice);
        store().update(run3, List.of(again2Twice));

        Batch found = assertReadBack(run3, succeeded, cancelled1, again2Twice);
        assertThat(found.run()).isEqualTo(3);
        assertThat(found.redrive()).isEqualTo(second);
        assertThat(found.pastRuns()).extracting(RunSummary::number, RunSummary::state, RunSummary::redrive)
            .containsExactly(tuple(1, BatchState.FAILED, null), tuple(2, BatchState.CANCELLED, first));
        assertThat(found.pastRuns().get(0).cause()).isEqualTo(run1.cancellation());
        assertThat(found.pastRuns().get(1).cause()).isEqualTo(ended2.cancellation());
        assertThat(found.pastRuns().get(1).queuedAt()).isEqualTo(first.requestedAt());
        assertThat(found.redriveKeyed("redrive-1")).contains(first);
        assertThat(found.counts()).isEqualTo(new JobCounts(3, 1, 0, 1, 0, 1, 0));
    }

    /**
     * The batch and its jobs (in submission order) as they were stored, read through this
     * store and after reopening it, whole and in a list; the batch as reopened.
     */
    private Batch assertReadBack(Batch expected, Job... jobs) {
        Batch found = null;
        for (Supplier<BatchStore> views : List.<Supplier<BatchStore>>of(this::store, this::reopened)) {
            BatchStore view = views.get();
            found = view.findBatch(expected.id()).orElseThrow();
            assertSameBatch(found, expected);
            assertThat(found.pastRuns()).isEqualTo(expected.pastRuns());
            assertThat(found.redrive()).isEqualTo(expected.redrive());
            for (Job job : jobs) {
                assertThat(view.findJob(expected.id(), job.id())).contains(job);
            }
            assertThat(view.findJobs(expected.id(), null, new PageRequest(0, 10)).content()).containsExactly(jobs);
            assertThat(view.listJobs(expected.id(), null, new PageRequest(0, 10)).content()).as("what a list shows")
                .containsExactlyElementsOf(Stream.of(jobs).map(Job::withoutHistory).toList())
                .extracting(Job::run)
                .containsExactlyElementsOf(Stream.of(jobs).map(Job::run).toList());
            assertThat(view.listJobs(expected.id(), JobState.PENDING, new PageRequest(0, 10)).content())
                .extracting(Job::run)
                .containsOnly(expected.run());
        }
        return found;
    }

    // ---- fixtures ---------------------------------------------------------------------

    /** Ids ordered like the engine's time-ordered ones: later batches get greater ids. */
    Batch batch(int jobs, Map<String, String> labels, Instant createdAt) {
        UUID id = new UUID(0x01a2_0000_0000_7000L + (nextId << 16), 0x8000_0000_0000_0000L | nextId);
        nextId++;
        return aBatch().withId(id)
            .named("batch-" + id)
            .labels(labels)
            .maxFailures(1)
            .maxParallelism(4)
            .deadline(Duration.ofMinutes(10))
            .withBuiltJobs(jobs(jobs))
            .createdAt(createdAt)
            .build();
    }

    /**
     * The batch in another state; for the store tests that change a batch step by step.
     */
    static Batch with(Batch batch, BatchState state, JobCounts counts, CancellationCause cause, Instant startedAt,
            Instant finishedAt) {
        return new Batch(batch.id(), OWNER, batch.spec(), state, batch.createdAt(), startedAt, finishedAt, counts,
                cause);
    }

    /**
     * Sleep jobs {@code job-0}, {@code job-1}, …; the even ones with a timeout and
     * retries.
     */
    static List<Job> jobs(int n) {
        ObjectNode params = JSON.createObjectNode().put("duration", "PT1S");
        var retry = new RetryPolicy(3, Duration.ofMillis(500), 2.0, Duration.ofSeconds(30));
        return IntStream.range(0, n)
            .mapToObj(i -> aJob(sleepJob("job-" + i, Duration.ofSeconds(1)).params(params)
                .timeout(i % 2 == 0 ? Duration.ofSeconds(5) : null)
                .retry(i % 2 == 0 ? retry : RetryPolicy.NONE)).build())
            .toList();
    }

    /**
     * A store may return the spec without its job list (jobs are read apart); everything
     * else must match.
     */
    static void assertSameBatch(Batch actual, Batch expected) {
        // A rule's compiled expression is compared by its text, as ErrorRule's equals
        // does.
        assertThat(actual).usingRecursiveComparison()
            .ignoringFields("spec.jobs")
            .withEqualsForType(Objects::equals, ErrorRule.class)
            .isEqualTo(expected);
    }

}
