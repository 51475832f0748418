package dev.failfast.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.failfast.batch.Caller;
import dev.failfast.store.TestDatabases;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The API key store contract on {@link JdbcApiKeyStore}, on a freshly migrated database
 * per test; and what its table holds of a key's secret: nothing beyond its first
 * characters.
 */
abstract class JdbcApiKeyStoreContract extends ApiKeyStoreContract {

    HikariDataSource dataSource;

    private JdbcApiKeyStore store;

    abstract HikariDataSource freshDatabase();

    @BeforeEach
    void migrate() {
        dataSource = freshDatabase();
        TestDatabases.flyway(dataSource).migrate();
        store = new JdbcApiKeyStore(dataSource);
    }

    @AfterEach
    void closeDatabase() {
        dataSource.close();
    }

    @Override
    ApiKeyStore store() {
        return store;
    }

    @Test
    void noColumnHoldsASecretOnlyItsHashAndFirstCharacters() {
        var keys = new ApiKeys(store, Clock.fixed(T0, ZoneOffset.UTC));
        String generated = keys
            .create(new Caller("default", "key:admin", true), "ci-deploy", "team-a",
                    EnumSet.of(Scope.BATCHES_READ, Scope.BATCHES_WRITE), T0.plusSeconds(3600))
            .secret();
        String operators = "bootstrap-key-of-JdbcApiKeyStoreContract-0123456789";
        keys.ensure(operators, BootstrapKey.NAME, "default", BootstrapKey.NAME);

        List<Map<String, Object>> rows = JdbcClient.create(dataSource)
            .sql("SELECT * FROM api_key")
            .query()
            .listOfRows();

        assertThat(rows).hasSize(2);
        for (String secret : List.of(generated, operators)) {
            String unshown = secret.substring(KeySecrets.SHOWN_CHARACTERS);
            assertThat(rows).allSatisfy(row -> assertThat(row.values())
                .allSatisfy(value -> assertThat(String.valueOf(value)).doesNotContain(secret).doesNotContain(unshown)));
            assertThat(rows).filteredOn(row -> row.get("key_hash").equals(KeySecrets.hash(secret)))
                .singleElement()
                .satisfies(row -> assertThat(row.get("key_prefix")).isEqualTo(KeySecrets.shown(secret)));
        }
    }

}
