package dev.creditgate.gateway;

import dev.creditgate.gateway.support.TestDatabases;

/** Skipped, with the reason printed, when no MariaDB answers at {@code MARIADB_URL}. */
class ManagementApiMariaDbIT extends ManagementApiContract {
    @Override
    TestDatabases.Db database() {
        return TestDatabases.mariadb();
    }
}
