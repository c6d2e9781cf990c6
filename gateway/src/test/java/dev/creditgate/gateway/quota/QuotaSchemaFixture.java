package dev.creditgate.gateway.quota;

import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * TEMPORARY: the columns of users/tokens/channels that QuotaStore touches, until the gateway's
 * Flyway migrations (branch gwfound) exist. Delete once the store test runs on the real schema.
 */
final class QuotaSchemaFixture {

    private QuotaSchemaFixture() {
    }

    static void create(DataSource dataSource) {
        JdbcClient jdbc = JdbcClient.create(dataSource);
        jdbc.sql("""
                CREATE TABLE users (id BIGINT PRIMARY KEY, username VARCHAR(64), quota BIGINT NOT NULL DEFAULT 0,
                  used_quota BIGINT NOT NULL DEFAULT 0, request_count BIGINT NOT NULL DEFAULT 0,
                  group_name VARCHAR(64), status INT NOT NULL DEFAULT 1)""").update();
        jdbc.sql("""
                CREATE TABLE tokens (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL DEFAULT 0,
                  remain_quota BIGINT NOT NULL DEFAULT 0, unlimited_quota BOOLEAN NOT NULL DEFAULT FALSE,
                  used_quota BIGINT NOT NULL DEFAULT 0, request_count BIGINT NOT NULL DEFAULT 0)""").update();
        jdbc.sql("CREATE TABLE channels (id BIGINT PRIMARY KEY, used_quota BIGINT NOT NULL DEFAULT 0)").update();
    }
}
