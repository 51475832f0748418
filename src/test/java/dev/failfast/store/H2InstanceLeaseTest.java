package dev.failfast.store;

import com.zaxxer.hikari.HikariDataSource;

/** The instance lease on embedded H2. */
class H2InstanceLeaseTest extends InstanceLeaseContract {

    @Override
    HikariDataSource freshDatabase() {
        return TestDatabases.h2();
    }

}
