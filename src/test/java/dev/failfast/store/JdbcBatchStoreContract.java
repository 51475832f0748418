package dev.failfast.store;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** The store contract on {@link JdbcBatchStore}, on a freshly migrated database per test. */
abstract class JdbcBatchStoreContract extends BatchStoreContract {

    private HikariDataSource dataSource;
    private JdbcBatchStore store;
    private JdbcBatchStore reopened;

    abstract HikariDataSource freshDatabase();

    @BeforeEach
    void migrate() {
        dataSource = freshDatabase();
        TestDatabases.flyway(dataSource).migrate();
        // A long interval: reads must be right while changes wait in the buffer, not because they were written.
        store = new JdbcBatchStore(dataSource, JSON, Duration.ofSeconds(30), 1000);
    }

    @AfterEach
    void closeAll() {
        store.close();
        if (reopened != null) {
            reopened.close();
        }
        dataSource.close();
    }

    @Override
    BatchStore store() {
        return store;
    }

    /** Closes the store (which writes what it buffers) and opens a new one on the same database. */
    @Override
    BatchStore reopened() {
        store.close();
        if (reopened == null) {
            reopened = new JdbcBatchStore(dataSource, JSON, Duration.ofSeconds(30), 1000);
        }
        return reopened;
    }
}
