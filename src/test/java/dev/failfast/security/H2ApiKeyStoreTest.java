package dev.failfast.security;

import com.zaxxer.hikari.HikariDataSource;
import dev.failfast.store.TestDatabases;

/** The API key store contract on embedded H2. */
class H2ApiKeyStoreTest extends JdbcApiKeyStoreContract {

    @Override
    HikariDataSource freshDatabase() {
        return TestDatabases.h2();
    }

}
