package dev.failfast.api;

import static dev.failfast.api.Problems.assertProblem;
import static dev.failfast.api.Problems.json;
import static dev.failfast.batch.TestBatches.aBatch;
import static dev.failfast.batch.TestJobs.aJob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.CancellationCause;
import dev.failfast.batch.CauseType;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.JobError;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.batch.TestBatches;
import dev.failfast.batch.TestBatches.BatchBuilder;
import dev.failfast.store.InMemoryBatchStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import tools.jackson.databind.JsonNode;

/**
 * How {@link BatchController} maps HTTP to the engine and the store, and their answers
 * back to HTTP.
 */
@ApiSliceTest
class BatchControllerWebTest {

    static final String BATCHES = "/api/v1/batches";
    static final Instant CAUSE_AT = TestBatches.T0.plusSeconds(1);
    static final String ONE_JOB = """
            {"jobs": [{"id": "a", "type": "sleep", "params": {"duration": "PT1S"}}]}""";

    @Autowired
    MockMvcTester mvc;

    @Autowired
    FakeBatchEngine engine;

    @Autowired
    InMemoryBatchStore store;

    @BeforeEach
    void reset() {
        engine.reset();
    }

    @Test
    void aSubmittedBatchIs202WithItsLocationAndStatus() {
        MvcTestResult result = submit("""
                {"name": "nightly", "labels": {"team": "data"}, "maxParallelism": 2, "deadline": "PT10M",
                 "jobs": [{"id": "a", "type": "sleep", "params": {"duration": "PT1S"}, "timeout": "PT5S",
                           "retry": {"maxAttempts": 3}},
                          {"id": "b", "type": "http", "params": {"url": "https://example.com/"}}]}""", null);

        assertThat(result).hasStatus(202).hasContentTypeCompatibleWith(MediaType.APPLICATION_JSON);
        JsonNode batch = json(result);
        String id = batch.get("id").asString();
        assertThat(result).hasHeader("Location", "http://localhost/api/v1/batches/" + id);
        assertThat(batch.get("state").asString()).isEqualTo("QUEUED");
        assertThat(batch.get("counts").get("total").asInt()).isEqualTo(2);
        assertThat(batch.get("counts").get("pending").asInt()).isEqualTo(2);
        assertThat(batch.get("cancellation").isNull()).isTrue();
        // The request is mapped to the spec the engine runs, with the documented defaults
        // filled in.
        BatchSpec spec = engine.submitted().getFirst();
        assertThat(spec.name()).isEqualTo("nightly");
        assertThat(spec.labels()).containsExactlyEntriesOf(Map.of("team", "data"));
        assertThat(spec.failurePolicy()).isEqualTo(FailurePolicy.FAIL_FAST);
        assertThat(spec.maxParallelism()).isEqualTo(2);
        assertThat(spec.deadline()).isEqualTo(Duration.ofMinutes(10));
        assertThat(spec.jobs().get(0).timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(spec.jobs().get(0).retry()).isEqualTo(new RetryPolicy(3, BatchSpecMapper.DEFAULT_BACKOFF,
                BatchSpecMapper.DEFAULT_MULTIPLIER, BatchSpecMapper.DEFAULT_MAX_BACKOFF));
        assertThat(spec.jobs().get(1).retry()).isEqualTo(RetryPolicy.NONE);
        assertThat(spec.jobs().get(1).params().get("url").asString()).isEqualTo("https://example.com/");
    }

    @Test
    void defaultsApplyToWhatTheRequestLeavesOut() {
        assertThat(submit(ONE_JOB, null)).hasStatus(202);

        BatchSpec spec = engine.submitted().getFirst();
        assertThat(spec.name()).isEmpty();
        assertThat(spec.labels()).isEmpty();
        assertThat(spec.failurePolicy()).isEqualTo(FailurePolicy.FAIL_FAST);
        assertThat(spec.maxFailures()).isZero();
        assertThat(spec.maxParallelism()).as("failfast.engine.default-max-parallelism").isEqualTo(8);
        assertThat(spec.deadline()).isNull();
    }

    @Test
    void anIdempotencyKeyReplaysTheBatchItCreatedWith200AndRefusesAnotherRequest() {
        String key = "key-" + UUID.randomUUID();
        MvcTestResult first = submit(ONE_JOB, key);
        // The same request with its fields in another order and other whitespace.
        MvcTestResult again = submit("""
                { "jobs": [ {"params": {"duration": "PT1S"}, "type": "sleep", "id": "a"} ] }""", key);
        MvcTestResult other = submit("""
                {"jobs": [{"id": "b", "type": "sleep", "params": {"duration": "PT1S"}}]}""", key);

        assertThat(first).hasStatus(202);
        String id = json(first).get("id").asString();
        assertThat(again).hasStatus(200).hasHeader("Location", "http://localhost/api/v1/batches/" + id);
        assertThat(json(again).get("id").asString()).isEqualTo(id);
        assertThat(engine.submitted()).as("the replay ran nothing").hasSize(1);
        JsonNode refused = assertProblem(other, 422, "idempotency-key-reused");
        assertThat(refused.get("batchId").asString()).isEqualTo(id);
        assertThat(submit(ONE_JOB, "another-" + key)).as("a new key is a new batch").hasStatus(202);
    }

    @Test
    void aBatchsStatusShowsItsCountsAndCause() {
        var error = new JobError("JOB_ERROR", "disk full", null);
        var cause = CancellationCause.jobFailed(CauseType.JOB_FAILED, "b", error, CAUSE_AT)
            .completed(CAUSE_AT.plusMillis(2));
        Batch batch = stored(aBatch().named("seed")
            .withJobs(aJob("a").cancelled(), aJob("b").failed().error(error), aJob("c").skipped())
            .failed()
            .cancellation(cause));

        MvcTestResult result = mvc.get().uri(BATCHES + "/" + batch.id()).exchange();

        assertThat(result).hasStatusOk();
        JsonNode body = json(result);
        assertThat(body.get("state").asString()).isEqualTo("FAILED");
        assertThat(body.get("name").asString()).isEqualTo("seed");
        assertThat(body.get("counts").toString())
            .isEqualTo("{\"total\":3,\"pending\":0,\"running\":0,\"succeeded\":0,\"failed\":1,\"cancelled\":1,"
                    + "\"skipped\":1,\"ignored\":0}");
        JsonNode cancellation = body.get("cancellation");
        assertThat(cancellation.get("cause").asString()).isEqualTo("JOB_FAILED");
        assertThat(cancellation.get("jobId").asString()).isEqualTo("b");
        assertThat(cancellation.get("errorType").asString()).isEqualTo("JOB_ERROR");
        assertThat(cancellation.get("message").asString()).isEqualTo("disk full");
        assertThat(cancellation.get("propagationMillis").asDouble()).isEqualTo(2.0);
        assertThat(cancellation.get("requestedAt").asString()).isEqualTo(CAUSE_AT.toString());
    }

    @Test
    void batchesAreListedByStateAndLabelsOnePageAtATime() {
        String suite = "suite:" + UUID.randomUUID();
        String label = suite.substring("suite:".length());
        Batch running = stored(aBatch().label("suite", label).label("kind", "slow").withJobs(1).running());
        stored(aBatch().label("suite", label).withJobs(1).succeeded());
        stored(aBatch().label("suite", label).withJobs(1).succeeded());

        JsonNode firstPage = json(mvc.get().uri(BATCHES + "?label={l}&size=2", suite).exchange());
        JsonNode secondPage = json(mvc.get().uri(BATCHES + "?label={l}&size=2&page=1", suite).exchange());
        JsonNode onlyRunning = json(mvc.get().uri(BATCHES + "?label={l}&state=RUNNING", suite).exchange());
        JsonNode bothLabels = json(mvc.get().uri(BATCHES + "?label={l}&label=kind:slow", suite).exchange());
        JsonNode clamped = json(mvc.get().uri(BATCHES + "?label={l}&size=5000", suite).exchange());

        assertThat(firstPage.get("content").size()).isEqualTo(2);
        assertThat(firstPage.get("page").toString())
            .isEqualTo("{\"size\":2,\"number\":0,\"totalElements\":3,\"totalPages\":2}");
        assertThat(secondPage.get("content").size()).isEqualTo(1);
        assertThat(secondPage.get("page").get("number").asInt()).isEqualTo(1);
        assertThat(ids(onlyRunning)).containsExactly(running.id().toString());
        assertThat(ids(bothLabels)).containsExactly(running.id().toString());
        assertThat(clamped.get("page").get("size").asInt()).as("failfast.limits.max-page-size").isEqualTo(50);
        assertThat(clamped.get("content").size()).isEqualTo(3);
    }

    @Test
    void aBatchsJobsArePagedAndFilteredByStateAndReadOneByOne() {
        Batch batch = stored(
                aBatch().withJobs(aJob("a").succeeded(), aJob("b").skipped(), aJob("c").skipped(), aJob("d").skipped())
                    .cancelled());

        JsonNode skipped = json(mvc.get().uri(BATCHES + "/{id}/jobs?state=SKIPPED&size=2", batch.id()).exchange());
        MvcTestResult one = mvc.get().uri(BATCHES + "/{id}/jobs/a", batch.id()).exchange();
        JsonNode all = json(mvc.get().uri(BATCHES + "/{id}/jobs", batch.id()).exchange());

        assertThat(ids(skipped)).containsExactly("b", "c");
        assertThat(skipped.get("page").get("totalElements").asInt()).isEqualTo(3);
        assertThat(all.get("page").get("size").asInt()).as("the default page size of jobs, clamped").isEqualTo(50);
        assertThat(ids(all)).containsExactly("a", "b", "c", "d");
        assertThat(one).hasStatusOk();
        JsonNode job = json(one);
        assertThat(job.get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(job.get("type").asString()).isEqualTo("sleep");
        assertThat(job.get("params").get("duration").asString()).isEqualTo("PT1S");
        assertThat(job.get("attempts").asInt()).isEqualTo(1);
        assertThat(job.get("durationMillis").asLong()).isEqualTo(1000);
        // An unknown job of a known batch (moved here from BatchLifecycleTest).
        assertThat(assertProblem(mvc.get().uri(BATCHES + "/{id}/jobs/nope", batch.id()).exchange(), 404, "not-found")
            .get("detail")
            .asString()).contains("'nope'");
    }

    @Test
    void cancellingIs202WithTheCauseAndAFinishedBatchIs409() {
        Batch active = stored(aBatch().withJobs(2).running());
        Batch finished = stored(aBatch().withJobs(1).succeeded());

        MvcTestResult cancelled = mvc.post()
            .uri(BATCHES + "/{id}/cancel", active.id())
            .contentType(MediaType.APPLICATION_JSON)
            .content("{\"reason\": \"wrong input\"}")
            .exchange();
        MvcTestResult withoutBody = mvc.post().uri(BATCHES + "/{id}/cancel", active.id()).exchange();
        MvcTestResult late = mvc.post().uri(BATCHES + "/{id}/cancel", finished.id()).exchange();

        assertThat(cancelled).hasStatus(202);
        assertThat(json(cancelled).get("state").asString()).isEqualTo("CANCELLING");
        assertThat(json(cancelled).get("cancellation").get("cause").asString()).isEqualTo("USER_REQUESTED");
        assertThat(json(cancelled).get("cancellation").get("reason").asString()).isEqualTo("wrong input");
        assertThat(withoutBody).as("the body is optional").hasStatus(202);
        assertThat(json(withoutBody).get("cancellation").get("reason").asString()).as("the first cause stays")
            .isEqualTo("wrong input");
        assertThat(assertProblem(late, 409, "conflict").get("state").asString()).isEqualTo("SUCCEEDED");
    }

    @Test
    void deletingIs204ForAFinishedBatchAnd409ForAnActiveOne() {
        Batch active = stored(aBatch().withJobs(1).running());
        Batch finished = stored(aBatch().withJobs(1).succeeded());

        assertThat(mvc.delete().uri(BATCHES + "/{id}", finished.id())).hasStatus(204).body().isEmpty();
        assertThat(store.findBatch(finished.id())).isEmpty();
        assertThat(
                assertProblem(mvc.delete().uri(BATCHES + "/{id}", active.id()).exchange(), 409, "conflict").get("state")
                    .asString())
            .isEqualTo("RUNNING");
        assertThat(store.findBatch(active.id())).isPresent();
    }

    @Test
    void everyEndpointOfAnUnknownBatchIs404() {
        UUID id = UUID.randomUUID();

        assertProblem(mvc.get().uri(BATCHES + "/{id}", id).exchange(), 404, "not-found");
        assertProblem(mvc.get().uri(BATCHES + "/{id}/jobs", id).exchange(), 404, "not-found");
        assertProblem(mvc.get().uri(BATCHES + "/{id}/jobs/a", id).exchange(), 404, "not-found");
        assertProblem(mvc.post().uri(BATCHES + "/{id}/cancel", id).exchange(), 404, "not-found");
        assertProblem(mvc.delete().uri(BATCHES + "/{id}", id).exchange(), 404, "not-found");
        assertProblem(mvc.get().uri(BATCHES + "/{id}/events", id).accept(MediaType.TEXT_EVENT_STREAM).exchange(), 404,
                "not-found");
        assertThat(assertProblem(mvc.get().uri(BATCHES + "/{id}", id).exchange(), 404, "not-found").get("detail")
            .asString()).contains(id.toString());
    }

    private MvcTestResult submit(String body, String idempotencyKey) {
        var request = mvc.post().uri(BATCHES).contentType(MediaType.APPLICATION_JSON).content(body);
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return request.exchange();
    }

    private Batch stored(BatchBuilder builder) {
        Batch batch = builder.build();
        store.create(batch, builder.jobs());
        return batch;
    }

    private static List<String> ids(JsonNode page) {
        return page.get("content").valueStream().map(item -> item.get("id").asString()).toList();
    }

}
