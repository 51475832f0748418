package dev.failfast.store;

import com.zaxxer.hikari.HikariDataSource;

/** The notification store contract, and the outbox's transactions, on embedded H2. */
class H2NotificationStoreTest extends JdbcNotificationStoreContract {

    @Override
    HikariDataSource freshDatabase() {
        return TestDatabases.h2();
    }

}
