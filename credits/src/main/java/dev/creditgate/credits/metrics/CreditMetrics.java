package dev.creditgate.credits.metrics;

import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.creditgate.credits.db.Sql;

/**
 * Meters: {@code credits_holds_total{outcome=granted|refused|replayed}}, {@code credits_captures_total{outcome}},
 * {@code credits_releases_total{outcome}}, {@code credits_extends_total{outcome}}, {@code credits_holds_expired_total},
 * {@code credits_webhooks_total{outcome}}, {@code credits_webhooks_unlogged_total{outcome}}, {@code credits_holds_batch_size} (units per group commit), the lease meters
 * {@code credits_leases_total{outcome=opened|reused|refused}}, {@code credits_lease_refreshes_total{outcome}},
 * {@code credits_lease_events_total{outcome=CHARGED|DUPLICATE_EVENT}}, {@code credits_lease_releases_total{outcome}},
 * {@code credits_leases_expired_total}, {@code credits_lease_recalls_total{outcome=returned|timeout}}, and the gauges {@code credits_debt_total} (credits owed by users in
 * debt, across all instances: read from the database every 10 s) and {@code credits_debt_users}.
 */
@Component
public class CreditMetrics {

    private final MeterRegistry registry;
    private final Sql sql;
    private final AtomicLong debtMicros = new AtomicLong();
    private final AtomicLong debtUsers = new AtomicLong();
    private final Counter expired;
    private final Counter leasesExpired;

    public CreditMetrics(MeterRegistry registry, Sql sql) {
        this.registry = registry;
        this.sql = sql;
        this.expired = Counter.builder("credits.holds.expired").description("holds made final by expiry").register(registry);
        this.leasesExpired = Counter.builder("credits.leases.expired").description("leases made final by expiry")
                .register(registry);
        Gauge.builder("credits.debt.total", debtMicros, v -> v.get() / 1_000_000.0)
                .description("credits owed by users whose balance is below zero").baseUnit("credits").register(registry);
        Gauge.builder("credits.debt.users", debtUsers, AtomicLong::get).description("users in debt").register(registry);
    }

    public void hold(String outcome) {
        registry.counter("credits.holds", "outcome", outcome).increment();
    }

    public void capture(String outcome) {
        registry.counter("credits.captures", "outcome", outcome).increment();
    }

    public void release(String outcome) {
        registry.counter("credits.releases", "outcome", outcome).increment();
    }

    public void extend(String outcome) {
        registry.counter("credits.extends", "outcome", outcome).increment();
    }

    public void webhook(String outcome) {
        registry.counter("credits.webhooks", "outcome", outcome).increment();
    }

    /** A rejected webhook delivery that was counted but not stored (over the sample rate). */
    public void webhookUnlogged(String outcome) {
        registry.counter("credits.webhooks.unlogged", "outcome", outcome).increment();
    }

    /** How many holds, captures and releases shared one group-commit transaction ({@code HoldBatcher}). */
    public void batch(int size) {
        registry.summary("credits.holds.batch.size").record(size);
    }

    public void expired(int n) {
        expired.increment(n);
    }

    /** A lease open: {@code opened}, {@code reused} (the owner's ACTIVE lease answered) or {@code refused} (402). */
    public void leaseOpen(String outcome) {
        registry.counter("credits.leases", "outcome", outcome).increment();
    }

    /** A lease refresh: {@code ACTIVE}, {@code lease_released} or {@code lease_expired}. */
    public void leaseRefresh(String outcome) {
        registry.counter("credits.lease.refreshes", "outcome", outcome).increment();
    }

    /** Settled lease events: {@code CHARGED} or {@code DUPLICATE_EVENT}. */
    public void leaseEvents(String outcome, int n) {
        if (n > 0) {
            registry.counter("credits.lease.events", "outcome", outcome).increment(n);
        }
    }

    /** A lease release: the status it answered (RELEASED, EXPIRED). */
    public void leaseRelease(String outcome) {
        registry.counter("credits.lease.releases", "outcome", outcome).increment();
    }

    public void leasesExpired(int n) {
        leasesExpired.increment(n);
    }

    /**
     * A recall of leased credit: a negative admin adjustment that waited for leases, {@code returned} (posted) or
     * {@code timeout}; or {@code hold_refused}, a refused hold that recalled the user's leases.
     */
    public void leaseRecall(String outcome) {
        registry.counter("credits.lease.recalls", "outcome", outcome).increment();
    }

    /** Re-reads the debt gauges from the database. */
    @Scheduled(initialDelay = 1000, fixedDelay = 10_000)
    public void refreshDebt() {
        sql.jdbc().sql("SELECT COALESCE(SUM(-balance), 0), COUNT(*) FROM users WHERE balance < 0")
                .query((rs, n) -> {
                    debtMicros.set(rs.getLong(1));
                    debtUsers.set(rs.getLong(2));
                    return n;
                }).list();
    }
}
