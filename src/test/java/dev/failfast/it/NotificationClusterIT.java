package dev.failfast.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.failfast.testing.WebhookReceiver;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Two replicas in cluster mode on one PostgreSQL schema, each a separate process, and a
 * receiver in this JVM: each notification is delivered by one replica, and those a
 * replica killed with SIGKILL had claimed are delivered by the other once the claims
 * expired.
 */
class NotificationClusterIT {

    private static final Duration WAIT = Duration.ofMinutes(2);

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwMfKQ9r8GKYqr";

    private static final String SUBSCRIPTION_SECRET = "whsec_c3Vic2NyaXB0aW9uLXNlY3JldC0wMTIzNDU2Nzg5YWI=";

    private static final List<String> NAMES = List.of("replica-a", "replica-b");

    @TempDir
    Path logDir;

    Replicas replicas;

    WebhookReceiver receiver;

    @BeforeEach
    void startReceiver() {
        receiver = WebhookReceiver.verifying(SECRET, SUBSCRIPTION_SECRET);
    }

    @AfterEach
    void stopAll() {
        if (replicas != null) {
            replicas.close();
        }
        receiver.close();
    }

    /**
     * The claims hold ten minutes, far longer than any delivery here: none expires, so a
     * notification that arrives twice was delivered by both replicas, a bug.
     */
    @Test
    void eachNotificationOfBatchesSubmittedToBothReplicasArrivesOnce() throws Exception {
        startReplicas("--failfast.notifications.claim-ttl=10m", "--failfast.notifications.timeout=30s");
        JsonNode subscription = replicas.get("replica-a")
            .post("/api/v1/subscriptions", """
                    {"url": "%s", "events": ["batch.finished"], "secret": "%s"}"""
                .formatted(receiver.url("/subscribed"), SUBSCRIPTION_SECRET));
        assertThat(subscription.path("id").isString()).as("subscribed: %s", subscription).isTrue();
        int batches = 40;
        List<Callable<String>> submissions = new ArrayList<>();
        for (int i = 0; i < batches; i++) {
            ServiceProcess replica = replicas.get(NAMES.get(i % NAMES.size()));
            submissions.add(() -> submit(replica, "batch.succeeded"));
        }
        Set<String> batchIds;
        try (var pool = Executors.newFixedThreadPool(8)) {
            List<String> ids = new ArrayList<>();
            for (Future<String> id : pool.invokeAll(submissions)) {
                ids.add(id.get());
            }
            batchIds = Set.copyOf(ids);
        }
        assertThat(batchIds).hasSize(batches);

        int expected = batches * 2;
        await().atMost(WAIT).until(() -> count("status = 'DELIVERED'") == expected);

        List<Map<String, Object>> rows = replicas.sql
            .sql("SELECT id, batch_id, event, target, attempts FROM notification")
            .query()
            .listOfRows();
        assertThat(rows).hasSize(expected)
            .allSatisfy(row -> assertThat(row.get("attempts")).as("delivered at the first attempt").isEqualTo(1));
        Map<String, Set<String>> eventsByBatch = rows.stream()
            .collect(Collectors.groupingBy(row -> row.get("batch_id").toString(),
                    Collectors.mapping(row -> row.get("event") + " " + row.get("target"), Collectors.toSet())));
        assertThat(eventsByBatch.keySet()).containsExactlyInAnyOrderElementsOf(batchIds);
        String subscribed = "subscription:" + subscription.path("id").asString();
        assertThat(eventsByBatch.values()).allSatisfy(events -> assertThat(events)
            .containsExactlyInAnyOrder("batch.succeeded batch:0", "batch.finished " + subscribed));

        List<WebhookReceiver.Delivery> arrived = receiver.requests();
        assertThat(arrived).allSatisfy(delivery -> {
            assertThat(delivery.accepted()).isTrue();
            assertThat(delivery.verified()).as("signed with its target's secret").isTrue();
        });
        assertThat(arrived).extracting(WebhookReceiver.Delivery::id)
            .as("each webhook-id arrives once")
            .doesNotHaveDuplicates()
            .containsExactlyInAnyOrderElementsOf(rows.stream().map(row -> row.get("id").toString()).toList());
        assertThat(NAMES.stream().mapToDouble(this::deliveredBy).sum())
            .as("delivered, counted by the replica that delivered")
            .isEqualTo(expected);
    }

    /**
     * The receiver holds every request; the replica that sent the first is killed while
     * it waits for the answer, its claims held. The claims hold four seconds (the
     * receiver's timeout three): the survivor delivers them once they expired, and the
     * attempts the kill cut short are not counted.
     */
    @Test
    void whatAKilledReplicaHadClaimedTheSurvivorDeliversOnceTheClaimsExpired() throws Exception {
        startReplicas("--failfast.notifications.claim-ttl=4s", "--failfast.notifications.timeout=3s");
        receiver.hold();
        List<String> batchIds = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            batchIds.add(submit(replicas.get("replica-a"), "batch.finished"));
        }
        await().atMost(WAIT).until(() -> !receiver.held().isEmpty());
        String node = replicas.sql.sql("SELECT claimed_by FROM notification WHERE id = ?")
            .param(UUID.fromString(receiver.held().getFirst()))
            .query(String.class)
            .single();
        String victim = Replicas.replicaName(node);
        replicas.get(victim).killHard();
        receiver.answerAlways(200);
        receiver.release();

        Map<String, Instant> claims = new HashMap<>();
        replicas.sql
            .sql("SELECT id, claimed_until FROM notification WHERE claimed_by = ? AND status = 'PENDING'"
                    + " AND attempts = 0")
            .param(node)
            .query((rs, row) -> claims.put(rs.getString("id"),
                    rs.getObject("claimed_until", OffsetDateTime.class).toInstant()))
            .list();
        assertThat(claims).as("the killed replica's claims, still held").containsKey(receiver.held().getFirst());

        await().atMost(WAIT).until(() -> count("status = 'DELIVERED'") == batchIds.size());
        String survivor = NAMES.stream().filter(name -> !name.equals(victim)).findFirst().orElseThrow();
        assertThat(deliveredBy(survivor)).isEqualTo(batchIds.size());
        for (var claim : claims.entrySet()) {
            assertThat(replicas.sql.sql("SELECT attempts FROM notification WHERE id = ?")
                .param(UUID.fromString(claim.getKey()))
                .query(Integer.class)
                .single()).as("the cut-short attempt not counted").isEqualTo(1);
            assertThat(receiver.accepted()).filteredOn(delivery -> delivery.id().equals(claim.getKey()))
                .singleElement()
                .satisfies(delivery -> assertThat(delivery.arrivedAt()).as("once the claim expired")
                    .isAfterOrEqualTo(claim.getValue()));
        }
    }

    private void startReplicas(String... notificationSettings) throws Exception {
        List<String> args = new ArrayList<>(List.of("--failfast.notifications.signing-secret=" + SECRET,
                "--failfast.notifications.initial-backoff=100ms", "--failfast.notifications.max-backoff=500ms",
                "--failfast.jobs.http.allowed-networks=127.0.0.0/8",
                "--failfast.jobs.http.allowed-ports=80,443,1024-65535", "--failfast.cluster.poll-interval=500ms"));
        args.addAll(List.of(notificationSettings));
        replicas = Replicas.on(logDir, "failfast_notify_cluster_it", args.toArray(String[]::new));
        for (String name : NAMES) {
            replicas.start(name);
        }
    }

    /** A batch of one short sleep job with a target for {@code event} at the receiver. */
    private String submit(ServiceProcess replica, String event) {
        JsonNode batch = replica.post("/api/v1/batches", """
                {"notifications": [{"url": "%s", "events": ["%s"]}],
                 "jobs": [{"id": "job-0", "type": "sleep", "params": {"duration": "PT0.05S"}}]}"""
            .formatted(receiver.url("/own"), event));
        assertThat(batch.path("id").isString()).as("accepted: %s", batch).isTrue();
        return batch.path("id").asString();
    }

    private long count(String condition) {
        return replicas.sql.sql("SELECT COUNT(*) FROM notification WHERE " + condition).query(Long.class).single();
    }

    /** {@code failfast_notifications_delivered_total} as one replica exposes it. */
    private double deliveredBy(String replica) {
        return replicas.get(replica)
            .text("/actuator/prometheus")
            .lines()
            .filter(line -> line.startsWith("failfast_notifications_delivered_total{"))
            .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
            .sum();
    }

}
