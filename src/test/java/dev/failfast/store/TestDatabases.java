package dev.failfast.store;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;
import org.flywaydb.core.Flyway;

/**
 * Real databases for store tests: in-memory H2, and the PostgreSQL server at
 * 127.0.0.1:5432.
 */
public final class TestDatabases {

    public static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test?reWriteBatchedInserts=true";

    private TestDatabases() {
    }

    /** A fresh, empty in-memory H2 database (not migrated). */
    public static HikariDataSource h2() {
        return dataSource("jdbc:h2:mem:store-" + UUID.randomUUID(), "sa");
    }

    /**
     * The PostgreSQL test database, with {@code schema} dropped and created empty (not
     * migrated). Skips the test when no server is reachable, unless {@code CI=true}: then
     * it fails.
     */
    public static HikariDataSource postgres(String schema) {
        HikariDataSource dataSource = dataSource(POSTGRES_URL + "&currentSchema=" + schema, "postgres");
        try (Connection connection = dataSource.getConnection(); var statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            statement.execute("CREATE SCHEMA " + schema);
        }
        catch (SQLException | RuntimeException e) {
            dataSource.close();
            if (!"true".equals(System.getenv("CI"))) {
                assumeTrue(false, "PostgreSQL is not reachable at " + POSTGRES_URL + " (" + e.getMessage()
                        + "); start it with: pg_ctlcluster --skip-systemctl-redirect 15 main start");
            }
            throw new IllegalStateException("PostgreSQL must be reachable when CI=true", e);
        }
        return dataSource;
    }

    /**
     * The application's migrations: the portable scripts and those of the database's
     * vendor.
     */
    public static Flyway flyway(HikariDataSource dataSource) {
        String vendor = dataSource.getJdbcUrl().startsWith("jdbc:postgresql:") ? "postgresql" : "h2";
        return Flyway.configure()
            .dataSource(dataSource)
            .locations("classpath:db/migration", "classpath:db/vendor/" + vendor)
            .load();
    }

    private static HikariDataSource dataSource(String url, String user) {
        var dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(url);
        dataSource.setUsername(user);
        dataSource.setPassword("");
        dataSource.setMaximumPoolSize(4);
        dataSource.setInitializationFailTimeout(-1);
        return dataSource;
    }

}
