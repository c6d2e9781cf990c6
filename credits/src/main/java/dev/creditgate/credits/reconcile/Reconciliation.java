package dev.creditgate.credits.reconcile;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import org.springframework.stereotype.Service;

import dev.creditgate.credits.db.Sql;
import dev.creditgate.credits.gatewaysync.GatewayCostLog;
import dev.creditgate.credits.gatewaysync.GatewayException;
import dev.creditgate.credits.ledger.Money;
import dev.creditgate.credits.option.OptionService;
import dev.creditgate.credits.web.ApiError;

/**
 * What the ledger charged and what the gateway recorded, compared per user and per event for one window.
 *
 * <ul>
 *   <li>Ledger debits: the usage charges ({@code CAPTURE}, {@code DEDUCT} and {@code LEASE_CHARGE} entries, i.e.
 *       hold captures, usage webhooks and lease settlements, one entry per request each) posted in the window, by
 *       {@code event_id} (one charge per event id, see {@code processed_events}).</li>
 *   <li>Gateway costs: every row of the gateway's {@code GET /api/log/costs} for the window, in USD, converted at
 *       the current {@code credits_per_usd} HALF_UP to a micro-credit, as a capture or webhook is; a row's event id
 *       is {@code "cg-" + request_id} and its user the owner of the key whose {@code remoteKeyId} is its
 *       {@code token_id}. A row whose token is no key of this platform is listed as unattributed.</li>
 *   <li>Holds created in the window, by state; a pending hold whose TTL passed counts as expired (it no longer
 *       holds anything). {@code held} is the credit the window's still-valid pending holds reserve.</li>
 * </ul>
 * An event is a difference when its two amounts differ, an absent side counting as nothing (shown as null): an
 * event on one side only is a difference unless its amount is 0. Balanced: no difference, nothing unattributed.
 * Both sides are taken by their own timestamps (the ledger's posting time, the gateway's log time), so a request
 * at the very edge of the window can fall on one side only: reconcile a closed window, some time after its end.
 * Amounts are micro-credit {@code long}s, shown as exact decimals.
 */
@Service
public class Reconciliation {

    /** The platform's event id of a gateway request: the one the gateway's captures and webhooks carry. */
    static final String EVENT_PREFIX = dev.creditgate.contract.CreditApi.GATEWAY_EVENT_PREFIX;
    /** Longest window: 31 days. */
    static final long MAX_WINDOW_SECONDS = 31L * 86_400;
    /** Most rows read from each side for one window. */
    static final int MAX_ROWS = 1_000_000;
    /** The gateway's largest page. */
    static final int PAGE_SIZE = 100;

    private final Sql sql;
    private final GatewayCostLog gateway;
    private final OptionService options;
    private final Clock clock;

    Reconciliation(Sql sql, GatewayCostLog gateway, OptionService options, Clock clock) {
        this.sql = sql;
        this.gateway = gateway;
        this.options = options;
        this.clock = clock;
    }

    /** The answer. Amounts in credits. */
    public record Report(long from, long to, BigDecimal creditsPerUsd, boolean balanced, Totals totals,
                         List<UserReport> users, List<Unattributed> unattributed) {
    }

    public record Totals(BigDecimal ledgerDebits, BigDecimal gatewayCosts, BigDecimal held, long ledgerEvents,
                         long gatewayRows, long differences, long unattributed) {
    }

    public record UserReport(String userId, BigDecimal ledgerDebits, BigDecimal gatewayCosts, BigDecimal held,
                             Holds holds, List<Difference> differences) {
    }

    /** Holds created in the window, by state. */
    public record Holds(Bucket pending, CapturedBucket captured, Bucket released, Bucket expired) {
    }

    /** {@code amount}: credits the holds reserved. */
    public record Bucket(long count, BigDecimal amount) {
    }

    /** {@code captured}: credits their captures debited. */
    public record CapturedBucket(long count, BigDecimal amount, BigDecimal captured) {
    }

    /** One event whose amounts differ; null: that side has no such event. */
    public record Difference(String eventId, BigDecimal ledger, BigDecimal gateway) {
    }

    /** A gateway row whose token is no key of this platform. */
    public record Unattributed(String eventId, long tokenId, BigDecimal gateway) {
    }

    /** Mutable per-user sums while reading. */
    private static final class HoldSums {
        long[] counts = new long[4];
        long[] amounts = new long[4];
        long captured;
    }

    private static final int PENDING = 0;
    private static final int CAPTURED = 1;
    private static final int RELEASED = 2;
    private static final int EXPIRED = 3;

    /**
     * Reconciles {@code [from, to]} (unix seconds, both inclusive: ledger times from {@code from * 1000} up to, not
     * including, {@code (to + 1) * 1000} ms).
     *
     * @throws dev.creditgate.credits.web.ApiException 400 for a bad window or one with more than {@link #MAX_ROWS}
     *                                                  rows, 503 without a gateway, 502 when the gateway fails
     */
    public Report reconcile(long from, long to) {
        if (from < 0 || to < from) {
            throw ApiError.INVALID_REQUEST.exception("window: from " + from + ", to " + to
                    + " (expected: 0 <= from <= to, unix seconds)");
        }
        if (to - from > MAX_WINDOW_SECONDS) {
            throw ApiError.INVALID_REQUEST.exception("window: " + (to - from) + " s (expected: at most "
                    + MAX_WINDOW_SECONDS + " s, 31 days)");
        }
        if (!gateway.configured()) {
            throw ApiError.GATEWAY_NOT_CONFIGURED.exception(
                    "gateway not configured (credits.gateway.url, credits.gateway.admin-token): cannot reconcile");
        }
        BigDecimal rate = options.creditsPerUsd();
        long now = clock.millis();

        // the gateway's side first: when it fails, nothing else is worth reading
        Map<String, GatewayCostLog.CostRow> rows = gatewayRows(from, to);
        Map<Long, String> owners = new HashMap<>();
        sql.jdbc().sql("SELECT remote_key_id, user_id FROM api_keys WHERE remote_key_id IS NOT NULL")
                .query(rs -> {
                    owners.putIfAbsent(rs.getLong(1), rs.getString(2));
                });
        Map<String, Map<String, Long>> gatewayByUser = new HashMap<>();
        List<Unattributed> unattributed = new ArrayList<>();
        long gatewayTotal = 0;
        for (GatewayCostLog.CostRow r : rows.values()) {
            long micros;
            try {
                micros = Money.usdToMicros(r.costUsd(), rate);
            } catch (ArithmeticException e) {
                throw ApiError.GATEWAY_ERROR.exception("gateway GET /api/log/costs: request " + r.requestId()
                        + " has cost_usd " + r.costUsd().toPlainString() + " (out of range)");
            }
            String eventId = EVENT_PREFIX + r.requestId();
            gatewayTotal += micros;
            String user = owners.get(r.tokenId());
            if (user == null) {
                unattributed.add(new Unattributed(eventId, r.tokenId(), Money.toCredits(micros)));
            } else {
                gatewayByUser.computeIfAbsent(user, u -> new HashMap<>()).merge(eventId, micros, Long::sum);
            }
        }

        Map<String, Map<String, Long>> ledgerByUser = new HashMap<>();
        long[] ledgerEvents = {0};
        sql.jdbc().sql("""
                        SELECT user_id, event_id, id, amount FROM ledger_entries
                         WHERE type IN ('CAPTURE', 'DEDUCT', 'LEASE_CHARGE') AND created_at_ms >= :from AND created_at_ms < :to""")
                .param("from", from * 1000).param("to", (to + 1) * 1000)
                .query(rs -> {
                    if (++ledgerEvents[0] > MAX_ROWS) {
                        throw ApiError.INVALID_REQUEST.exception("window: more than " + MAX_ROWS
                                + " ledger charges (expected: a shorter window)");
                    }
                    String event = rs.getString(2) != null ? rs.getString(2) : "ledger-entry:" + rs.getLong(3);
                    ledgerByUser.computeIfAbsent(rs.getString(1), u -> new HashMap<>())
                            .merge(event, -rs.getLong(4), Long::sum);
                });

        Map<String, HoldSums> holdsByUser = new HashMap<>();
        sql.jdbc().sql("""
                        SELECT user_id, status, COUNT(*), COALESCE(SUM(amount), 0), COALESCE(SUM(captured_amount), 0),
                               COALESCE(SUM(CASE WHEN expires_at_ms <= :now THEN 1 ELSE 0 END), 0),
                               COALESCE(SUM(CASE WHEN expires_at_ms <= :now THEN amount ELSE 0 END), 0)
                          FROM holds WHERE created_at_ms >= :from AND created_at_ms < :to
                         GROUP BY user_id, status""")
                .param("now", now).param("from", from * 1000).param("to", (to + 1) * 1000)
                .query(rs -> {
                    HoldSums h = holdsByUser.computeIfAbsent(rs.getString(1), u -> new HoldSums());
                    long count = rs.getLong(3);
                    long amount = rs.getLong(4);
                    switch (rs.getString(2)) {
                        case "PENDING" -> {
                            long lapsed = rs.getLong(6);
                            long lapsedAmount = rs.getLong(7);
                            h.counts[PENDING] += count - lapsed;
                            h.amounts[PENDING] += amount - lapsedAmount;
                            h.counts[EXPIRED] += lapsed;
                            h.amounts[EXPIRED] += lapsedAmount;
                        }
                        case "CAPTURED" -> {
                            h.counts[CAPTURED] += count;
                            h.amounts[CAPTURED] += amount;
                            h.captured += rs.getLong(5);
                        }
                        case "RELEASED" -> {
                            h.counts[RELEASED] += count;
                            h.amounts[RELEASED] += amount;
                        }
                        default -> {
                            h.counts[EXPIRED] += count;
                            h.amounts[EXPIRED] += amount;
                        }
                    }
                });

        TreeSet<String> users = new TreeSet<>();
        users.addAll(ledgerByUser.keySet());
        users.addAll(gatewayByUser.keySet());
        users.addAll(holdsByUser.keySet());
        List<UserReport> reports = new ArrayList<>(users.size());
        long ledgerTotal = 0;
        long heldTotal = 0;
        long differences = 0;
        for (String user : users) {
            Map<String, Long> ledger = ledgerByUser.getOrDefault(user, Map.of());
            Map<String, Long> gw = gatewayByUser.getOrDefault(user, Map.of());
            TreeSet<String> events = new TreeSet<>(ledger.keySet());
            events.addAll(gw.keySet());
            List<Difference> diffs = new ArrayList<>();
            long ledgerSum = 0;
            long gatewaySum = 0;
            for (String e : events) {
                Long l = ledger.get(e);
                Long g = gw.get(e);
                ledgerSum += l == null ? 0 : l;
                gatewaySum += g == null ? 0 : g;
                if ((l == null ? 0 : l) != (g == null ? 0 : g)) {
                    diffs.add(new Difference(e, l == null ? null : Money.toCredits(l), g == null ? null : Money.toCredits(g)));
                }
            }
            HoldSums h = holdsByUser.getOrDefault(user, new HoldSums());
            ledgerTotal += ledgerSum;
            heldTotal += h.amounts[PENDING];
            differences += diffs.size();
            reports.add(new UserReport(user, Money.toCredits(ledgerSum), Money.toCredits(gatewaySum),
                    Money.toCredits(h.amounts[PENDING]), holds(h), List.copyOf(diffs)));
        }
        unattributed.sort(Comparator.comparing(Unattributed::eventId));
        Totals totals = new Totals(Money.toCredits(ledgerTotal), Money.toCredits(gatewayTotal), Money.toCredits(heldTotal),
                ledgerEvents[0], rows.size(), differences, unattributed.size());
        return new Report(from, to, Money.plain(rate), differences == 0 && unattributed.isEmpty(), totals,
                List.copyOf(reports), List.copyOf(unattributed));
    }

    private static Holds holds(HoldSums h) {
        return new Holds(new Bucket(h.counts[PENDING], Money.toCredits(h.amounts[PENDING])),
                new CapturedBucket(h.counts[CAPTURED], Money.toCredits(h.amounts[CAPTURED]), Money.toCredits(h.captured)),
                new Bucket(h.counts[RELEASED], Money.toCredits(h.amounts[RELEASED])),
                new Bucket(h.counts[EXPIRED], Money.toCredits(h.amounts[EXPIRED])));
    }

    /** Every gateway row of the window, by request id (a row seen twice while paging counts once). */
    private Map<String, GatewayCostLog.CostRow> gatewayRows(long from, long to) {
        Map<String, GatewayCostLog.CostRow> rows = new LinkedHashMap<>();
        try {
            long pages = Long.MAX_VALUE;
            for (int page = 1; page <= pages; page++) {
                GatewayCostLog.CostPage p = gateway.costs(from, to, page, PAGE_SIZE);
                if (p.total() > MAX_ROWS) {
                    throw ApiError.INVALID_REQUEST.exception("window: the gateway has " + p.total()
                            + " cost rows in it (expected: at most " + MAX_ROWS + "; ask for a shorter window)");
                }
                // the total read on the first page bounds the paging (+1 page for rows that arrive meanwhile)
                pages = Math.min(pages, (p.total() + PAGE_SIZE - 1) / PAGE_SIZE + 1);
                for (GatewayCostLog.CostRow r : p.items()) {
                    if (r.createdAt() >= from && r.createdAt() <= to) {
                        rows.putIfAbsent(r.requestId(), r);
                    }
                }
                if (p.items().size() < PAGE_SIZE) {
                    break;
                }
            }
        } catch (GatewayException e) {
            throw ApiError.GATEWAY_ERROR.exception("cannot reconcile: the gateway's costs are unavailable ("
                    + e.getMessage() + ")");
        }
        return rows;
    }
}
