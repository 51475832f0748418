package dev.failfast.it;

import static dev.failfast.it.ClusterIT.awaitTerminal;
import static dev.failfast.it.ClusterIT.counts;
import static dev.failfast.it.ClusterIT.jobs;
import static dev.failfast.it.ClusterIT.sleepJobs;
import static dev.failfast.it.ClusterIT.submit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * With {@code failfast.recovery.mode=RESUME}, the jobs a killed replica was running go
 * back to PENDING and the survivors run them again (at-least-once): the batch still
 * succeeds.
 */
class ClusterResumeIT {

    @TempDir
    Path logDir;

    @Test
    void theSurvivorsRunAKilledReplicasJobsAgain() throws Exception {
        try (var replicas = Replicas.on(logDir, "failfast_cluster_resume_it", "--failfast.executor.pool-size=3",
                "--failfast.cluster.claim-size=1", "--failfast.store.lease-ttl=3s",
                "--failfast.cluster.poll-interval=500ms", "--failfast.recovery.mode=RESUME")) {
            replicas.start("replica-a");
            replicas.start("replica-b");
            // Six jobs, three per replica at most: both replicas run three.
            String id = submit(replicas.get("replica-a"), sleepJobs(6, "PT4S", 2), null, 6);
            await().atMost(Duration.ofSeconds(30))
                .until(() -> counts(replicas.get("replica-a").get("/api/v1/batches/" + id)).get(2) == 6);
            Map<String, String> before = replicas.ownerOfEachJob(id);
            assertThat(before).containsValues("replica-a", "replica-b");

            replicas.get("replica-b").killHard();

            JsonNode batch = awaitTerminal(replicas.get("replica-a"), id);
            assertThat(batch.path("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(batch.path("cancellation").isNull()).isTrue();
            assertThat(counts(batch)).containsExactly(6, 0, 0, 6, 0, 0, 0);
            Map<String, String> after = replicas.ownerOfEachJob(id);
            for (JsonNode job : jobs(replicas.get("replica-a"), id)) {
                String jobId = job.path("id").asString();
                boolean wasOnKilled = before.get(jobId).equals("replica-b");
                assertThat(after.get(jobId)).isEqualTo("replica-a");
                assertThat(job.path("attempts").asInt()).as(jobId).isEqualTo(wasOnKilled ? 2 : 1);
            }
        }
    }

}
