package dev.creditgate.gateway.db;

import java.time.Duration;

import com.zaxxer.hikari.HikariDataSource;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.creditgate.contract.db.DriverTimeouts;

/**
 * A database that stops answering fails statements instead of holding threads: the pool gives up waiting for a
 * connection after {@code spring.datasource.hikari.connection-timeout}, a statement after
 * {@code spring.jdbc.template.query-timeout} (both in the yml), and the driver's connect and socket reads after
 * {@code creditgate.db.connect-timeout} and {@code creditgate.db.socket-timeout} (added here, in the driver's own
 * names and units, unless the JDBC URL sets them). On H2 the statement timeout is the connection's
 * {@code QUERY_TIMEOUT} instead of JDBC's per-statement one ({@link DriverTimeouts#statementTimeoutInDriver}).
 */
@Configuration(proxyBeanMethods = false)
class DatabaseTimeouts {

    @Bean
    static BeanPostProcessor driverTimeouts(@Value("${creditgate.db.connect-timeout:5s}") Duration connect,
                                            @Value("${creditgate.db.socket-timeout:30s}") Duration socket,
                                            @Value("${spring.jdbc.template.query-timeout:0s}") Duration statement) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (bean instanceof JdbcTemplate template && template.getDataSource() instanceof HikariDataSource pool
                        && DriverTimeouts.statementTimeoutInDriver(pool.getJdbcUrl())) {
                    template.setQueryTimeout(-1); // the driver applies it (see the pool below)
                }
                if (bean instanceof HikariDataSource pool) {
                    DriverTimeouts.forUrl(pool.getJdbcUrl(), connect, socket, statement).forEach((key, value) -> {
                        if (!pool.getDataSourceProperties().containsKey(key)) {
                            pool.addDataSourceProperty(key, value);
                        }
                    });
                }
                return bean;
            }
        };
    }
}
