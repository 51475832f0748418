package dev.failfast.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationState;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The Flyway scripts migrate an empty H2 and an empty PostgreSQL database alike, once.
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
    }

}
