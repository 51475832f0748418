package dev.failfast.security;

import com.zaxxer.hikari.HikariDataSource;
import dev.failfast.store.TestDatabases;

/**
 * The API key store contract on PostgreSQL (skipped when no server is reachable, unless
 * CI=true).
 */
class PostgresApiKeyStoreTest extends JdbcApiKeyStoreContract {

    @Override
    HikariDataSource freshDatabase() {
        return TestDatabases.postgres("failfast_api_key_store_test");
    }

}
