package dev.creditgate.credits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import tools.jackson.databind.JsonNode;

/** The seed's balance endpoint: all four answers, field names byte for byte, on each database. */
class BalanceEndpointIT {

    static Stream<String> vendors() {
        return Stream.of("h2", "postgresql", "mariadb");
    }

    static TestDatabases.Db db(String vendor) {
        return TestDatabases.of(vendor);
    }

    @ParameterizedTest
    @MethodSource("vendors")
    void seedAnswers(String vendor) {
        TestDatabases.Db db = db(vendor);
        try (CreditsApp app = CreditsApp.start(db, null, Map.of())) {
            String[] ids = app.userWithKey("12.5", 42);
            String path = "/api/credits/balance/" + ids[1];

            CreditsApp.Answer none = app.call("GET", path, (String) null, Map.of());
            assertThat(none.status()).isEqualTo(401);
            assertThat(none.body()).isEqualTo("{\"success\":false,\"message\":\"Unauthorized\"}");
            CreditsApp.Answer wrong = app.call("GET", path, (String) null, Map.of("X-API-Key", CreditsApp.SERVICE + "x"));
            assertThat(wrong.status()).isEqualTo(401);
            assertThat(wrong.body()).isEqualTo("{\"success\":false,\"message\":\"Unauthorized\"}");

            for (String unknown : List.of("00000000-0000-0000-0000-000000000000", "42", "not-a-key")) {
                CreditsApp.Answer nf = app.service("GET", "/api/credits/balance/" + unknown, null);
                assertThat(nf.status()).isEqualTo(404);
                assertThat(nf.body()).isEqualTo("{\"success\":false,\"message\":\"API Key not found\"}");
            }

            CreditsApp.Answer ok = app.service("GET", path, null);
            assertThat(ok.status()).isEqualTo(200);
            JsonNode j = ok.json();
            assertThat(j.propertyNames()).containsExactly("success", "credit", "userId", "keyId", "remoteKeyId",
                    "timestamp", "held", "creditsPerUsd");
            assertThat(j.get("success").booleanValue()).isTrue();
            assertThat(j.get("credit").decimalValue()).isEqualByComparingTo("12.5");
            assertThat(ok.body()).contains("\"credit\":12.5,");
            assertThat(j.get("userId").asString()).isEqualTo(ids[0]);
            assertThat(j.get("keyId").asString()).isEqualTo(ids[1]);
            assertThat(j.get("remoteKeyId").longValue()).isEqualTo(42);
            assertThat(j.get("timestamp").asString()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(j.get("held").decimalValue()).isEqualByComparingTo("0");
            assertThat(ok.body()).contains("\"creditsPerUsd\":100}");

            // the balance-only token may read the balance
            assertThat(app.call("GET", path, (String) null, Map.of("X-API-Key", CreditsApp.BALANCE_ONLY)).status()).isEqualTo(200);

            // available = balance - pending holds
            CreditsApp.Answer hold = app.service("POST", "/api/credits/holds",
                    "{\"keyId\":\"" + ids[1] + "\",\"requestId\":\"r1\",\"amountUsd\":\"0.025\"}");
            assertThat(hold.status()).isEqualTo(201);
            JsonNode after = app.service("GET", path, null).json();
            assertThat(after.get("credit").decimalValue()).isEqualByComparingTo("10");
            assertThat(after.get("held").decimalValue()).isEqualByComparingTo("2.5");
        } finally {
            TestDatabases.drop(db);
        }
    }

    /** 500: the database connection pool is closed under the running service (a broken datasource). */
    @Test
    void brokenDatasourceAnswers500() {
        try (CreditsApp app = CreditsApp.start(TestDatabases.h2(), null, Map.of())) {
            String[] ids = app.userWithKey("1", 7);
            ((HikariDataSource) app.context.getBean(DataSource.class)).close();
            CreditsApp.Answer err = app.service("GET", "/api/credits/balance/" + ids[1], null);
            assertThat(err.status()).isEqualTo(500);
            JsonNode j = err.json();
            assertThat(j.propertyNames()).containsExactly("success", "message");
            assertThat(j.get("success").booleanValue()).isFalse();
            assertThat(j.get("message").asString()).startsWith("Internal server error (ref ").doesNotContain("Hikari");
        }
    }
}
