package dev.failfast.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.failfast.engine.EngineFrontDoor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * On PostgreSQL the engine holds the instance lease while it runs. Skips locally when
 * PostgreSQL is not reachable; never when {@code CI=true}.
 */
@SpringBootTest(properties = { "spring.datasource.username=postgres", "spring.datasource.password=" })
@DirtiesContext
class PostgresEngineLeaseTest {

    static final String SCHEMA = "failfast_engine_lease";

    static HikariDataSource database;

    @BeforeAll
    static void emptySchema() {
        database = TestDatabases.postgres(SCHEMA);
    }

    @AfterAll
    static void close() {
        if (database != null) {
            database.close();
        }
    }

    @DynamicPropertySource
    static void datasource(DynamicPropertyRegistry registry) {
        registry.add("spring.datasource.url", () -> TestDatabases.POSTGRES_URL + "&currentSchema=" + SCHEMA);
    }

    @Autowired
    EngineFrontDoor engine;

    @Autowired
    InstanceLease lease;

    @Test
    void theEngineHoldsTheLeaseWhileItRunsAndReleasesItWhenItStops() {
        assertThat(lease).isInstanceOf(JdbcInstanceLease.class);
        assertThat(holders()).isEqualTo(1);

        engine.stop();
        assertThat(holders()).isZero();

        engine.start();
        assertThat(holders()).isEqualTo(1);
    }

    private long holders() {
        return JdbcClient.create(database)
            .sql("SELECT COUNT(*) FROM instance_lease WHERE owner <> ''")
            .query(Long.class)
            .single();
    }

}
