package dev.failfast.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.failfast.batch.Owner;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.IntStream;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationState;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Flyway scripts migrate an empty H2 and an empty PostgreSQL database alike, once;
 * and a database that holds batches from before tenants existed.
 */
class MigrationTest {

    @Test
    void migratesH2() {
        try (HikariDataSource dataSource = TestDatabases.h2()) {
            assertMigrates(dataSource);
        }
    }

    @Test
    void migratesPostgres() {
        try (HikariDataSource dataSource = TestDatabases.postgres("failfast_migration_test")) {
            assertMigrates(dataSource);
        }
    }

    @Test
    void migratesAnExistingH2Database() {
        try (HikariDataSource dataSource = TestDatabases.h2()) {
            assertMigratesFromVersion5(dataSource);
        }
    }

    @Test
    void migratesAnExistingPostgresDatabase() {
        try (HikariDataSource dataSource = TestDatabases.postgres("failfast_migration_from_v5_test")) {
            assertMigratesFromVersion5(dataSource);
        }
    }

    private static void assertMigratesFromVersion5(HikariDataSource dataSource) {
        Flyway latest = TestDatabases.flyway(dataSource);
        Flyway version5 = Flyway.configure().configuration(latest.getConfiguration()).target("5").load();
        version5.migrate();
        assertThat(version5.info().current().getVersion().getVersion()).isEqualTo("5");
        var jdbc = JdbcClient.create(dataSource);
        UUID stored = UUID.randomUUID();
        insertVersion5Batch(jdbc, stored, "nightly-2026-11-24");

        assertThat(latest.migrate().migrationsExecuted).isPositive();

        assertThat(jdbc.sql("SELECT tenant, submitted_by, cause_requested_by FROM batch WHERE id = ?")
            .param(stored)
            .query()
            .singleRow()).containsEntry("tenant", "default")
            .containsEntry("submitted_by", "anonymous")
            .containsEntry("cause_requested_by", null);
        try (var store = new JdbcBatchStore(dataSource, JsonMapper.builder().build(), Duration.ofSeconds(30), 1000)) {
            assertThat(store.findBatch(stored))
                .hasValueSatisfying(batch -> assertThat(batch.owner()).isEqualTo(new Owner("default", "anonymous")));
            assertThat(store.findByIdempotencyKey("default", "nightly-2026-11-24"))
                .hasValueSatisfying(keyed -> assertThat(keyed.batchId()).isEqualTo(stored));
            assertThat(store.findByIdempotencyKey("team-b", "nightly-2026-11-24")).isEmpty();
            assertThat(store.findJobs(stored, null, new PageRequest(0, 10)).content()).singleElement()
                .satisfies(job -> assertThat(job.spec().id()).isEqualTo("import"));
        }
        insertBatch(jdbc, UUID.randomUUID(), "team-b", "nightly-2026-11-24");
        assertThatThrownBy(() -> insertBatch(jdbc, UUID.randomUUID(), "default", "nightly-2026-11-24"))
            .isInstanceOf(DuplicateKeyException.class);
        assertThat(jdbc.sql("SELECT COUNT(*) FROM api_key").query(Long.class).single()).isZero();
    }

    /** A finished batch with one job, as version 5 of the schema knew them. */
    private static void insertVersion5Batch(JdbcClient jdbc, UUID id, String idempotencyKey) {
        OffsetDateTime at = OffsetDateTime.parse("2026-11-24T02:00:00Z");
        jdbc.sql("""
                INSERT INTO batch (id, name, labels, failure_policy, max_failures, max_parallelism, state, created_at,
                    started_at, finished_at, jobs_total, jobs_pending, jobs_running, jobs_succeeded, jobs_failed,
                    jobs_cancelled, jobs_skipped, idempotency_key, request_fingerprint)
                VALUES (?, 'nightly', '{}', 'FAIL_FAST', 0, 8, 'SUCCEEDED', ?, ?, ?, 1, 0, 0, 1, 0, 0, 0, ?, 'f1')""")
            .params(id, at, at, at.plusMinutes(5), idempotencyKey)
            .update();
        jdbc.sql("""
                INSERT INTO job (batch_id, id, seq, type, params, retry_max_attempts, retry_backoff, retry_multiplier,
                    retry_max_backoff, state, attempts, started_at, finished_at, abandoned)
                VALUES (?, 'import', 0, 'sleep', '{"duration": "PT1S"}', 1, 'PT1S', 2.0, 'PT1M', 'SUCCEEDED', 1, ?, ?,
                    FALSE)""").params(id, at, at.plusMinutes(5)).update();
    }

    /** A batch of {@code tenant}, as the latest schema has them. */
    private static void insertBatch(JdbcClient jdbc, UUID id, String tenant, String idempotencyKey) {
        jdbc.sql("""
                INSERT INTO batch (id, tenant, submitted_by, name, labels, failure_policy, max_failures,
                    max_parallelism, state, created_at, jobs_total, jobs_pending, jobs_running, jobs_succeeded,
                    jobs_failed, jobs_cancelled, jobs_skipped, idempotency_key, request_fingerprint)
                VALUES (?, ?, 'key:test', 'b', '{}', 'FAIL_FAST', 0, 8, 'PENDING', ?, 0, 0, 0, 0, 0, 0, 0, ?, 'f2')""")
            .params(id, tenant, OffsetDateTime.parse("2026-11-25T02:00:00Z"), idempotencyKey)
            .update();
    }

    private static void assertMigrates(HikariDataSource dataSource) {
        Flyway flyway = TestDatabases.flyway(dataSource);
        assertThat(flyway.migrate().migrationsExecuted).isPositive();
        assertThat(flyway.info().all()).extracting(info -> info.getState()).containsOnly(MigrationState.SUCCESS);
        assertThat(flyway.migrate().migrationsExecuted).isZero();
        flyway.validate();
        var jdbc = JdbcClient.create(dataSource);
        for (String table : List.of("batch", "batch_label", "job", "cluster_node")) {
            assertThat(jdbc.sql("SELECT COUNT(*) FROM " + table).query(Long.class).single()).isZero();
        }
        assertThat(jdbc.sql("SELECT owner FROM instance_lease").query(String.class).list())
            .as("the lease row always exists, free at first")
            .containsExactly("");
        assertListsReadEveryJobColumnButTheHistory(jdbc);
    }

    /**
     * A list of jobs names the columns it reads, to leave the attempt history out: a
     * column added to the job table and missing there would be lost by lists.
     */
    private static void assertListsReadEveryJobColumnButTheHistory(JdbcClient jdbc) {
        List<String> columns = jdbc.sql("SELECT * FROM job WHERE 1 = 0").query(rs -> {
            var meta = rs.getMetaData();
            return IntStream.rangeClosed(1, meta.getColumnCount())
                .mapToObj(i -> uncheckedLabel(meta, i).toLowerCase(Locale.ROOT))
                .toList();
        });
        List<String> listed = Arrays.stream(JdbcRows.LISTED_JOB_COLUMNS.split(",")).map(String::strip).toList();
        assertThat(columns).contains("attempt_history");
        assertThat(listed).containsExactlyInAnyOrderElementsOf(
                columns.stream().filter(column -> !column.equals("attempt_history")).toList());
    }

    private static String uncheckedLabel(ResultSetMetaData meta, int column) {
        try {
            return meta.getColumnLabel(column);
        }
        catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

}
