package dev.failfast.store;

import com.zaxxer.hikari.HikariDataSource;

/** The store contract on PostgreSQL (skipped when no server is reachable, unless CI=true). */
class PostgresBatchStoreTest extends JdbcBatchStoreContract {

    @Override
    HikariDataSource freshDatabase() {
        return TestDatabases.postgres("failfast_store_contract");
    }
}
