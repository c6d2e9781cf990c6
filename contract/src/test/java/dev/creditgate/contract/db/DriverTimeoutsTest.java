package dev.creditgate.contract.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class DriverTimeoutsTest {

    private static final Duration CONNECT = Duration.ofSeconds(5);
    private static final Duration SOCKET = Duration.ofSeconds(30);

    @Test
    void eachDriverGetsItsOwnNamesAndUnits() {
        assertThat(DriverTimeouts.forUrl("jdbc:postgresql://db:5432/gw", CONNECT, SOCKET, null))
                .containsEntry("connectTimeout", "5").containsEntry("socketTimeout", "30");
        assertThat(DriverTimeouts.forUrl("jdbc:mariadb://db:3306/gw", CONNECT, SOCKET, null))
                .containsEntry("connectTimeout", "5000").containsEntry("socketTimeout", "30000");
        assertThat(DriverTimeouts.forUrl("jdbc:mysql://db:3306/gw", CONNECT, SOCKET, null)).containsEntry("socketTimeout", "30000");
        assertThat(DriverTimeouts.forUrl("jdbc:h2:file:./data/gateway", CONNECT, SOCKET, null)).isEmpty();
    }

    @Test
    void h2TakesItsStatementTimeoutAsAConnectionSettingAndNoOtherDriverDoes() {
        Duration statement = Duration.ofSeconds(10);
        assertThat(DriverTimeouts.statementTimeoutInDriver("jdbc:h2:file:./data/gateway;MODE=LEGACY")).isTrue();
        assertThat(DriverTimeouts.statementTimeoutInDriver("jdbc:postgresql://db/gw")).isFalse();
        assertThat(DriverTimeouts.statementTimeoutInDriver("jdbc:mariadb://db/gw")).isFalse();
        assertThat(DriverTimeouts.forUrl("jdbc:h2:mem:x", CONNECT, SOCKET, statement))
                .containsExactly(java.util.Map.entry("QUERY_TIMEOUT", "10000"));
        assertThat(DriverTimeouts.forUrl("jdbc:h2:mem:x;QUERY_TIMEOUT=500", CONNECT, SOCKET, statement)).isEmpty();
        assertThat(DriverTimeouts.forUrl("jdbc:h2:mem:x", CONNECT, SOCKET, Duration.ZERO)).isEmpty();
        assertThat(DriverTimeouts.forUrl("jdbc:postgresql://db/gw", CONNECT, SOCKET, statement))
                .containsOnlyKeys("connectTimeout", "socketTimeout");
    }

    @Test
    void aValueInTheUrlWins() {
        assertThat(DriverTimeouts.forUrl("jdbc:postgresql://db/gw?socketTimeout=120", CONNECT, SOCKET, null))
                .containsOnlyKeys("connectTimeout");
    }
}
