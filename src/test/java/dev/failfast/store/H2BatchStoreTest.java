package dev.failfast.store;

import com.zaxxer.hikari.HikariDataSource;

/** The store contract on embedded H2. */
class H2BatchStoreTest extends JdbcBatchStoreContract {

    @Override
    HikariDataSource freshDatabase() {
        return TestDatabases.h2();
    }

}
