package dev.failfast.metrics;

import static dev.failfast.batch.TestBatches.OWNER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.uuid.Generators;
import com.zaxxer.hikari.HikariDataSource;
import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchSpec;
import dev.failfast.batch.FailurePolicy;
import dev.failfast.batch.Job;
import dev.failfast.batch.JobSpec;
import dev.failfast.batch.RetryPolicy;
import dev.failfast.store.JdbcBatchStore;
import dev.failfast.store.TestDatabases;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The store's readiness probe, which answers anyone, costs nothing whatever the store
 * holds: the database (embedded H2, with its query statistics on) runs no query on the
 * batch or job tables for it, the write-behind buffer is not flushed, and a burst of
 * probes makes one query; yet a database that goes away is reported DOWN.
 */
class StoreReadinessTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private HikariDataSource database;

    private JdbcBatchStore store;

    @BeforeEach
    void setUp() {
        database = TestDatabases.h2();
        TestDatabases.flyway(database).migrate();
        // Flushed only on demand: a probe that flushed would show.
        store = new JdbcBatchStore(database, JSON, Duration.ofHours(1), 100);
    }

    @AfterEach
    void tearDown() {
        store.close();
        database.close();
    }

    @Test
    void probesReadNoBatchOrJobTableFlushNothingAndCheckOncePerSecond() {
        Batch batch = storeBatchOf(1000);
        store.update(batch.started(Instant.now()), List.of());
        assertThat(store.holdsUnwritten()).isTrue();
        JdbcClient sql = JdbcClient.create(database);
        sql.sql("SET QUERY_STATISTICS TRUE").update();
        var probe = new StoreHealthIndicator(store);

        List<Status> statuses = IntStream.range(0, 200).mapToObj(i -> probe.health().getStatus()).toList();

        assertThat(statuses).containsOnly(Status.UP);
        assertThat(store.holdsUnwritten()).as("no probe flushed the buffer").isTrue();
        List<String> statements = sql.sql("SELECT SQL_STATEMENT FROM INFORMATION_SCHEMA.QUERY_STATISTICS")
            .query(String.class)
            .list();
        assertThat(statements).noneMatch(statement -> statement.matches("(?is).*\\b(batch|job)\\b.*"));
        long lookups = sql
            .sql("SELECT COALESCE(SUM(EXECUTION_COUNT), 0) FROM INFORMATION_SCHEMA.QUERY_STATISTICS"
                    + " WHERE SQL_STATEMENT LIKE '%instance_lease%'")
            .query(Long.class)
            .single();
        assertThat(lookups).as("200 probes within a second or two, one check per second").isBetween(1L, 5L);
    }

    @Test
    void aDatabaseThatWentAwayIsReportedDown() {
        var probe = new StoreHealthIndicator(store);
        assertThat(probe.health().getStatus()).isEqualTo(Status.UP);

        database.close();

        await().atMost(Duration.ofSeconds(10)).until(() -> probe.health().getStatus().equals(Status.DOWN));
    }

    @Test
    void aProbeWhileTheFirstCheckHasNotAnsweredIsDownNotUnknown() throws Exception {
        // A pool of one connection, held here: the first check waits for a connection as
        // it would for a database that does not answer.
        try (var onePool = new HikariDataSource()) {
            onePool.setJdbcUrl(database.getJdbcUrl());
            onePool.setUsername(database.getUsername());
            onePool.setPassword("");
            onePool.setMaximumPoolSize(1);
            var slowStore = new JdbcBatchStore(onePool, JSON, Duration.ofHours(1), 100);
            var probe = new StoreHealthIndicator(slowStore);
            var firstStatus = new AtomicReference<Status>();
            Thread first;
            try (Connection held = onePool.getConnection()) {
                first = Thread.ofPlatform().start(() -> firstStatus.set(probe.health().getStatus()));
                await().atMost(Duration.ofSeconds(10))
                    .until(() -> onePool.getHikariPoolMXBean().getThreadsAwaitingConnection() == 1);

                Health meanwhile = probe.health();

                assertThat(meanwhile.getStatus()).as("not ready before the store was ever checked")
                    .isEqualTo(Status.DOWN);
                assertThat(meanwhile.getDetails()).containsKey("error");
                assertThat(held.isValid(1)).isTrue();
            }
            first.join(Duration.ofSeconds(30));
            assertThat(first.isAlive()).isFalse();
            assertThat(firstStatus).hasValue(Status.UP);
            assertThat(probe.health().getStatus()).as("the first check answered once its connection was free")
                .isEqualTo(Status.UP);
            slowStore.close();
        }
    }

    private Batch storeBatchOf(int jobs) {
        List<JobSpec> specs = IntStream.range(0, jobs)
            .mapToObj(i -> new JobSpec("job-" + i, "sleep", JSON.createObjectNode(), null, RetryPolicy.NONE))
            .toList();
        var spec = new BatchSpec("probe", Map.of(), FailurePolicy.FAIL_FAST, 0, 1, null, specs);
        Batch batch = Batch.queued(Generators.timeBasedEpochGenerator().generate(), OWNER, spec, Instant.now());
        store.create(batch, specs.stream().map(Job::pending).toList());
        return batch;
    }

}
