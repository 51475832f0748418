package dev.failfast.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.failfast.batch.Batch;
import dev.failfast.batch.BatchState;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The store contract on PostgreSQL (skipped when no server is reachable, unless CI=true).
 */
class PostgresBatchStoreTest extends JdbcBatchStoreContract {

    @Override
    HikariDataSource freshDatabase() {
        return TestDatabases.postgres("failfast_store_contract");
    }

    @Test
    void aPurgeWaitingForARowLockHoldsUpNoFlush() throws Exception {
        Batch old = batch(1, Map.of(), T0);
        Batch active = batch(1, Map.of(), T0.plusSeconds(1));
        store().create(old, jobs(1));
        store().create(active, jobs(1));
        store().update(with(old, BatchState.SUCCEEDED, old.counts(), null, T0, T0.plusSeconds(1)), List.of());
        store().flush();
        // Closed in reverse order: the holder's connection first, which ends its lock,
        // then the threads.
        try (ExecutorService threads = Executors.newFixedThreadPool(2);
                Connection holder = DriverManager.getConnection(dataSource.getJdbcUrl(), "postgres", "")) {
            holder.setAutoCommit(false);
            int holderPid;
            try (Statement statement = holder.createStatement()) {
                statement.executeQuery("SELECT id FROM batch WHERE id = '" + old.id() + "' FOR UPDATE").close();
                try (ResultSet pid = statement.executeQuery("SELECT pg_backend_pid()")) {
                    pid.next();
                    holderPid = pid.getInt(1);
                }
            }
            Future<Integer> purge = threads.submit(() -> store().deleteFinishedBefore(T0.plusSeconds(50)));
            await().atMost(Duration.ofSeconds(20)).until(() -> blockedBy(holderPid));

            store().update(with(active, BatchState.RUNNING, active.counts(), null, T0, null), List.of());
            Future<?> flush = threads.submit(() -> store().flush());

            await().atMost(Duration.ofSeconds(10)).until(flush::isDone);
            assertThat(purge).isNotDone();
            assertThat(JdbcClient.create(dataSource)
                .sql("SELECT state FROM batch WHERE id = ?")
                .param(active.id())
                .query(String.class)
                .single()).isEqualTo("RUNNING");
            rollback(holder);
            assertThat(purge.get(20, TimeUnit.SECONDS)).isEqualTo(1);
        }
    }

    /** Whether a session waits for a lock the session {@code pid} holds. */
    private boolean blockedBy(int pid) {
        return JdbcClient.create(dataSource)
            .sql("SELECT COUNT(*) FROM pg_stat_activity WHERE ? = ANY(pg_blocking_pids(pid))")
            .param(pid)
            .query(Long.class)
            .single() > 0;
    }

    private static void rollback(Connection connection) throws SQLException {
        connection.rollback();
    }

}
