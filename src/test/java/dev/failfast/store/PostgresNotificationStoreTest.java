package dev.failfast.store;

import com.zaxxer.hikari.HikariDataSource;

/**
 * The notification store contract, and the outbox's transactions, on PostgreSQL (skipped
 * when no server is reachable, unless CI=true).
 */
class PostgresNotificationStoreTest extends JdbcNotificationStoreContract {

    @Override
    HikariDataSource freshDatabase() {
        return TestDatabases.postgres("failfast_notification_contract");
    }

}
