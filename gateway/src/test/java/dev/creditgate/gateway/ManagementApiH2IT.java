package dev.creditgate.gateway;

import dev.creditgate.gateway.support.TestDatabases;

class ManagementApiH2IT extends ManagementApiContract {
    @Override
    TestDatabases.Db database() {
        return TestDatabases.h2();
    }
}
