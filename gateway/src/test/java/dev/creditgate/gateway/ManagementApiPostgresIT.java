package dev.creditgate.gateway;

import dev.creditgate.gateway.support.TestDatabases;

class ManagementApiPostgresIT extends ManagementApiContract {
    @Override
    TestDatabases.Db database() {
        return TestDatabases.postgres();
    }
}
