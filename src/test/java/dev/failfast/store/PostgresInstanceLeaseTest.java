package dev.failfast.store;

import com.zaxxer.hikari.HikariDataSource;

/** The instance lease on PostgreSQL (skipped when no server is reachable, unless CI=true). */
class PostgresInstanceLeaseTest extends InstanceLeaseContract {

    @Override
    HikariDataSource freshDatabase() {
        return TestDatabases.postgres("failfast_instance_lease");
    }
}
