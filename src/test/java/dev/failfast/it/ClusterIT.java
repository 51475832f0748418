package dev.failfast.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.ApiClient;
import dev.failfast.SseClient;
import dev.failfast.testing.TestKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Three replicas in cluster mode, each a separate process, on one PostgreSQL schema:
 * batches spread over all of them, a cause recorded on one stops the jobs on the others,
 * the survivors settle the jobs of a replica killed with SIGKILL, and an API key revoked
 * through one replica is refused by the others at once.
 *
 * <p>
 * The cancel grace period is a minute, longer than any wait here: a job reported
 * CANCELLED was interrupted by its replica, not abandoned at the end of the grace period.
 */
class ClusterIT {

    private static final Duration WAIT = Duration.ofSeconds(45);

    private static final List<String> NAMES = List.of("replica-a", "replica-b", "replica-c");

    @TempDir
    static Path logDir;

    static Replicas replicas;

    @BeforeAll
    static void startReplicas() throws Exception {
        replicas = Replicas.on(logDir, "failfast_cluster_it", "--failfast.executor.pool-size=5",
                "--failfast.cluster.claim-size=2", "--failfast.engine.cancel-grace=60s",
                "--failfast.store.lease-ttl=3s", "--failfast.cluster.poll-interval=500ms");
        for (String name : NAMES) {
            replicas.start(name);
        }
    }

    @AfterAll
    static void stopReplicas() {
        if (replicas != null) {
            replicas.close();
        }
    }

    @Test
    void aFailureOnOneReplicaStopsTheBatchsJobsOnTheOthers() {
        // Job "bad" is claimed first and fails once the twelve others run on all three
        // replicas.
        String id = submit(replicas.get("replica-a"), sleepJobs(12, "PT60S", 1), """
                {"id": "bad", "type": "sleep", "params": {"duration": "PT60S", "failAfter": "PT4S"}}""", 13);

        JsonNode batch = awaitTerminal(replicas.get("replica-b"), id);

        assertThat(batch.path("state").asString()).isEqualTo("FAILED");
        assertThat(batch.path("cancellation").path("cause").asString()).isEqualTo("JOB_FAILED");
        assertThat(batch.path("cancellation").path("jobId").asString()).isEqualTo("bad");
        assertThat(counts(batch)).containsExactly(13, 0, 0, 0, 1, 12, 0);
        Map<String, String> owners = replicas.ownerOfEachJob(id);
        assertThat(Set.copyOf(owners.values())).as("every replica ran jobs").containsExactlyInAnyOrderElementsOf(NAMES);
        String failedOn = owners.get("bad");
        List<JsonNode> jobs = jobs(replicas.get("replica-c"), id);
        Instant causeAt = Instant.parse(batch.path("cancellation").path("requestedAt").asString());
        assertThat(jobs).allSatisfy(job -> {
            assertThat(Instant.parse(job.path("startedAt").asString())).as("started before the cause")
                .isBefore(causeAt);
            assertThat(job.path("abandoned").asBoolean()).isFalse();
            assertThat(job.path("attempts").asInt()).isEqualTo(1);
        });
        assertThat(jobs.stream().filter(job -> !owners.get(job.path("id").asString()).equals(failedOn)))
            .as("jobs on the other replicas")
            .isNotEmpty()
            .allSatisfy(job -> assertThat(job.path("state").asString()).isEqualTo("CANCELLED"));
    }

    @Test
    void aCancelThroughOneReplicaStopsTheJobsOnAllOfThem() {
        String id = submit(replicas.get("replica-a"), sleepJobs(12, "PT60S", 1), null, 12);
        await().atMost(WAIT).until(() -> counts(replicas.get("replica-c").get("/api/v1/batches/" + id)).get(2) == 12);

        JsonNode cancelled = replicas.get("replica-b").post("/api/v1/batches/" + id + "/cancel", """
                {"reason": "operator stop"}""");
        assertThat(cancelled.path("cancellation").path("cause").asString()).isEqualTo("USER_REQUESTED");

        JsonNode batch = awaitTerminal(replicas.get("replica-c"), id);
        assertThat(batch.path("state").asString()).isEqualTo("CANCELLED");
        assertThat(batch.path("cancellation").path("reason").asString()).isEqualTo("operator stop");
        assertThat(counts(batch)).containsExactly(12, 0, 0, 0, 0, 12, 0);
        assertThat(Set.copyOf(replicas.ownerOfEachJob(id).values())).containsExactlyInAnyOrderElementsOf(NAMES);
        assertThat(jobs(replicas.get("replica-a"), id))
            .allSatisfy(job -> assertThat(job.path("abandoned").asBoolean()).as("stopped by its replica, not abandoned")
                .isFalse());
    }

    @Test
    void aKilledReplicasJobsAreFailedByTheSurvivorsAndNoJobRunsTwice() throws Exception {
        String id = submit(replicas.get("replica-a"), sleepJobs(12, "PT60S", 3), null, 12);
        await().atMost(WAIT).until(() -> counts(replicas.get("replica-a").get("/api/v1/batches/" + id)).get(2) == 12);
        Map<String, String> owners = replicas.ownerOfEachJob(id);
        assertThat(owners).containsValue("replica-c");

        replicas.get("replica-c").killHard();
        try {
            JsonNode batch = awaitTerminal(replicas.get("replica-b"), id);

            assertThat(batch.path("state").asString()).isEqualTo("FAILED");
            assertThat(batch.path("cancellation").path("cause").asString()).isEqualTo("OWNER_LOST");
            assertThat(batch.path("cancellation").path("message").asString()).contains("replica-c");
            for (JsonNode job : jobs(replicas.get("replica-a"), id)) {
                boolean ranOnKilled = owners.get(job.path("id").asString()).equals("replica-c");
                assertThat(job.path("state").asString()).isEqualTo(ranOnKilled ? "FAILED" : "CANCELLED");
                assertThat(job.path("attempts").asInt()).as("no job runs twice under FAIL").isEqualTo(1);
                if (ranOnKilled) {
                    assertThat(job.path("error").path("type").asString()).isEqualTo("INTERRUPTED");
                }
            }
        }
        finally {
            replicas.start("replica-c");
        }
    }

    @Test
    void aReplicaStoppedWithSigtermFinishesItsJobsAndTheBatchGoesOnWithoutIt() throws Exception {
        // Sixty one-second jobs, twelve at a time: about five seconds of work.
        String id = submit(replicas.get("replica-a"), sleepJobs(60, "PT1S", 1), null, 12);
        await().atMost(WAIT).until(() -> replicas.ownerOfEachJob(id).containsValue("replica-c"));

        int exit = replicas.get("replica-c").terminate();
        Instant stopped = Instant.now();
        try {
            JsonNode batch = awaitTerminal(replicas.get("replica-a"), id);

            assertThat(exit).as("a graceful stop").isIn(0, 143);
            assertThat(batch.path("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(counts(batch)).containsExactly(60, 0, 0, 60, 0, 0, 0);
            Map<String, String> owners = replicas.ownerOfEachJob(id);
            assertThat(owners).as("replica-c ran jobs until it stopped").containsValue("replica-c");
            List<JsonNode> startedAfterStop = jobs(replicas.get("replica-b"), id).stream()
                .filter(job -> Instant.parse(job.path("startedAt").asString()).isAfter(stopped))
                .toList();
            assertThat(startedAfterStop).as("the others ran the rest")
                .isNotEmpty()
                .allSatisfy(job -> assertThat(owners.get(job.path("id").asString())).isNotEqualTo("replica-c"));
        }
        finally {
            replicas.start("replica-c");
        }
    }

    @Test
    void noBatchIsLostOrDuplicatedWhenEveryReplicaTakesSubmissions() throws Exception {
        int batches = 24;
        String label = UUID.randomUUID().toString();
        List<Callable<String>> submissions = new ArrayList<>();
        for (int i = 0; i < batches * 2; i++) {
            // Each key is sent twice, to two different replicas, at about the same time.
            String key = label + "-" + (i / 2);
            ServiceProcess replica = replicas.get(NAMES.get(i % NAMES.size()));
            submissions.add(() -> replica.post("/api/v1/batches", """
                    {"labels": {"run": "%s"}, "jobs": [%s]}""".formatted(label, sleepJobs(5, "PT0.05S", 1)), key)
                .path("id")
                .asString());
        }
        Map<String, Set<String>> idsByKey = new HashMap<>();
        try (var pool = Executors.newFixedThreadPool(8)) {
            List<Future<String>> ids = pool.invokeAll(submissions);
            for (int i = 0; i < ids.size(); i++) {
                idsByKey.computeIfAbsent(label + "-" + (i / 2), key -> new HashSet<>()).add(ids.get(i).get());
            }
        }
        assertThat(idsByKey).hasSize(batches).allSatisfy((key, ids) -> assertThat(ids).hasSize(1));

        Set<String> ids = idsByKey.values().stream().flatMap(Set::stream).collect(Collectors.toSet());
        await().atMost(WAIT)
            .until(() -> replicas.get("replica-b")
                .get("/api/v1/batches?label=run:" + label + "&state=SUCCEEDED&size=100")
                .path("page")
                .path("totalElements")
                .asInt(), succeeded -> succeeded == batches);
        JsonNode listed = replicas.get("replica-c").get("/api/v1/batches?label=run:" + label + "&size=100");
        assertThat(listed.path("page").path("totalElements").asInt()).isEqualTo(batches);
        assertThat(listed.path("content")).extracting(batch -> batch.path("id").asString())
            .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(replicas.sql.sql("SELECT COUNT(*) FROM job WHERE attempts <> 1").query(Long.class).single())
            .as("every job ran exactly once")
            .isZero();
    }

    @Test
    void anEventStreamOnOneReplicaShowsTheJobsEveryReplicaRuns() throws Exception {
        // Twelve jobs at once need all three replicas: each runs five at most.
        String id = submit(replicas.get("replica-b"), sleepJobs(12, "PT1S", 1), null, 12);

        List<String> events;
        try (var lines = replicas.get("replica-a").lines("/api/v1/batches/" + id + "/events")) {
            events = lines.filter(line -> line.startsWith("data:")).toList(); // ends with
                                                                              // the
                                                                              // terminal
                                                                              // status
        }

        Map<String, String> owners = replicas.ownerOfEachJob(id);
        assertThat(Set.copyOf(owners.values())).containsExactlyInAnyOrderElementsOf(NAMES);
        assertThat(events.getLast()).contains("\"state\":\"SUCCEEDED\"");
        for (String job : owners.keySet()) {
            assertThat(events).as("job %s, run on %s", job, owners.get(job))
                .anySatisfy(event -> assertThat(event).contains("\"id\":\"" + job + "\"", "\"state\":\"SUCCEEDED\""));
        }
    }

    @Test
    void aStreamResumedOnAnotherReplicaIsSentEveryJobChangedSinceItsLastEvent() {
        // One job at a time, half a second each: the stream on replica-a sees the first
        // job event, then goes away; the client reconnects to replica-b once the batch
        // has ended.
        String id = submit(replicas.get("replica-a"), sleepJobs(6, "PT0.5S", 1), null, 1);
        List<SseClient.Event> before = new ArrayList<>();
        try (SseClient first = SseClient.open(replicas.get("replica-a").as(TestKeys.ADMIN), id)) {
            SseClient.Event event;
            do {
                event = first.next();
                before.add(event);
            }
            while (!event.name().equals("job"));
        }
        String lastSeen = before.getLast().id();
        awaitTerminal(replicas.get("replica-b"), id);

        List<SseClient.Event> replayed = SseClient.open(replicas.get("replica-b").as(TestKeys.ADMIN), id, lastSeen)
            .untilEnd();

        assertThat(replayed.getLast().summary()).isEqualTo("batch:SUCCEEDED");
        List<SseClient.Event> jobEvents = replayed.stream().filter(event -> event.name().equals("job")).toList();
        assertThat(jobEvents).extracting(event -> event.data().get("id").asString())
            .as("each job changed since, once, in its state now")
            .doesNotHaveDuplicates()
            .contains("job-2", "job-3", "job-4", "job-5");
        assertThat(jobEvents).allSatisfy(event -> assertThat(event.summary()).endsWith(":SUCCEEDED"));
        List<String> seen = new ArrayList<>();
        before.forEach(event -> seen.add(event.summary()));
        replayed.forEach(event -> seen.add(event.summary()));
        for (int i = 0; i < 6; i++) {
            assertThat(seen).as("nothing missed").contains("job-" + i + ":SUCCEEDED");
        }
        List<String> ids = new ArrayList<>(List.of(lastSeen));
        replayed.forEach(event -> ids.add(event.id()));
        assertThat(ids).allSatisfy(eventId -> assertThat(eventId).matches("c\\.\\d+\\.\\d+")).doesNotHaveDuplicates();
        assertThat(ids).isSortedAccordingTo(Comparator.comparingLong((String eventId) -> part(eventId, 1))
            .thenComparingLong(eventId -> part(eventId, 2)));
    }

    private static long part(String eventId, int index) {
        int first = eventId.indexOf('.');
        int second = eventId.indexOf('.', first + 1);
        return Long.parseLong(index == 1 ? eventId.substring(first + 1, second) : eventId.substring(second + 1));
    }

    @Test
    void aKeyRevokedThroughOneReplicaIsRefusedByTheOthersAtOnce() {
        JsonNode created = replicas.get("replica-a").as(TestKeys.ADMIN).createKey("team-r", "batches:read");
        String keyId = created.get("id").asString();
        ApiClient onB = replicas.get("replica-b").as(created.get("key").asString());
        ApiClient.Response before = onB.get("/api/v1/batches");
        assertThat(before.status()).as(before.body()).isEqualTo(200);

        ApiClient.Response revoked = replicas.get("replica-c").as(TestKeys.ADMIN).delete("/api/v1/api-keys/" + keyId);
        assertThat(revoked.status()).as(revoked.body()).isEqualTo(204);

        ApiClient.Response after = onB.get("/api/v1/batches");
        assertThat(after.status()).as(after.body()).isEqualTo(401);
        assertThat(after.headers().firstValue("WWW-Authenticate"))
            .hasValueSatisfying(header -> assertThat(header).startsWith("Bearer").contains("error=\"invalid_token\""));
        assertThat(replicas.get("replica-a").as(null).get("/api/v1/batches").status()).as("no key at all")
            .isEqualTo(401);
    }

    @Test
    void eachChangeIsCountedOnceByTheReplicaThatMadeIt() {
        Map<String, Double> before = NAMES.stream()
            .collect(Collectors.toMap(name -> name, ClusterIT::sleepJobsSucceeded));
        String id = submit(replicas.get("replica-c"), sleepJobs(15, "PT0.5S", 1), null, 15);
        awaitTerminal(replicas.get("replica-a"), id);

        Map<String, Long> ranBy = replicas.ownerOfEachJob(id)
            .values()
            .stream()
            .collect(Collectors.groupingBy(name -> name, Collectors.counting()));
        assertThat(ranBy.keySet()).containsExactlyInAnyOrderElementsOf(NAMES);
        for (String name : NAMES) {
            assertThat(sleepJobsSucceeded(name) - before.get(name)).as("jobs counted by %s", name)
                .isEqualTo(ranBy.get(name).doubleValue());
        }
    }

    /**
     * {@code failfast_jobs_finished_total} of succeeded sleep jobs, as one replica
     * exposes it.
     */
    private static double sleepJobsSucceeded(String replica) {
        return replicas.get(replica)
            .text("/actuator/prometheus")
            .lines()
            .filter(line -> line.startsWith("failfast_jobs_finished_total{") && line.contains("outcome=\"SUCCEEDED\"")
                    && line.contains("type=\"sleep\""))
            .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
            .sum();
    }

    // ---- helpers ----------------------------------------------------------------------

    /** {@code count} sleep jobs job-0…, as the elements of a JSON array. */
    static String sleepJobs(int count, String duration, int maxAttempts) {
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            jobs.add("""
                    {"id": "job-%d", "type": "sleep", "params": {"duration": "%s"},
                     "retry": {"maxAttempts": %d, "backoff": "PT0.1S"}}""".formatted(i, duration, maxAttempts));
        }
        return String.join(",", jobs);
    }

    /**
     * Submits the jobs, {@code first} ahead of them if given, and returns the batch's id.
     */
    static String submit(ServiceProcess replica, String jobs, String first, int maxParallelism) {
        String all = first == null ? jobs : first + "," + jobs;
        JsonNode batch = replica.post("/api/v1/batches", """
                {"maxParallelism": %d, "jobs": [%s]}""".formatted(maxParallelism, all));
        assertThat(batch.path("id").isString()).as("accepted: %s", batch).isTrue();
        return batch.path("id").asString();
    }

    static JsonNode awaitTerminal(ServiceProcess replica, String id) {
        return await().atMost(WAIT)
            .until(() -> replica.get("/api/v1/batches/" + id),
                    batch -> List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(batch.path("state").asString()));
    }

    static List<JsonNode> jobs(ServiceProcess replica, String id) {
        List<JsonNode> jobs = new ArrayList<>();
        replica.get("/api/v1/batches/" + id + "/jobs?size=1000").path("content").forEach(jobs::add);
        return jobs;
    }

    /** total, pending, running, succeeded, failed, cancelled, skipped */
    static List<Integer> counts(JsonNode batch) {
        JsonNode counts = batch.path("counts");
        return List.of("total", "pending", "running", "succeeded", "failed", "cancelled", "skipped")
            .stream()
            .map(name -> counts.path(name).asInt())
            .toList();
    }

}
