package dev.creditgate.credits.option;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.stereotype.Service;

import dev.creditgate.contract.Decimals;
import dev.creditgate.credits.CreditsProperties;
import dev.creditgate.credits.db.Recent;
import dev.creditgate.credits.db.Sql;
import dev.creditgate.credits.ledger.Money;
import dev.creditgate.credits.web.ApiError;

/**
 * Run-time options stored in {@code credit_options}. Known keys: {@code credits_per_usd} (initial value from
 * {@code credits.credits-per-usd}). Each instance re-reads the table at most every {@link #REFRESH_MS} ms, so a
 * change applies to every instance sharing the database within that delay.
 */
@Service
public class OptionService {

    public static final String CREDITS_PER_USD = "credits_per_usd";
    static final long REFRESH_MS = 2000;
    static final BigDecimal MAX_RATE = BigDecimal.valueOf(1_000_000);

    private final Sql sql;
    private final Clock clock;
    private volatile Recent<BigDecimal> creditsPerUsd;

    public OptionService(Sql sql, Clock clock, CreditsProperties props) {
        this.sql = sql;
        this.clock = clock;
        sql.insertIgnore("credit_options", "(opt_key, opt_value, updated_at_ms) VALUES (:k, :v, :t)",
                Map.of("k", CREDITS_PER_USD, "v", Money.plain(props.creditsPerUsd()).toPlainString(), "t", clock.millis()));
    }

    /** The conversion rate in force (cached for at most {@link #REFRESH_MS} ms). */
    public BigDecimal creditsPerUsd() {
        Recent<BigDecimal> cached = creditsPerUsd;
        BigDecimal rate = cached == null ? null : cached.usable(REFRESH_MS);
        if (rate == null) {
            rate = parseRate(sql.jdbc().sql("SELECT opt_value FROM credit_options WHERE opt_key = :k")
                    .param("k", CREDITS_PER_USD).query(String.class).single());
            creditsPerUsd = new Recent<>(rate);
        }
        return rate;
    }

    public Map<String, String> all() {
        Map<String, String> out = new LinkedHashMap<>();
        sql.jdbc().sql("SELECT opt_key, opt_value FROM credit_options ORDER BY opt_key")
                .query((rs, n) -> out.put(rs.getString(1), rs.getString(2))).list();
        return out;
    }

    /** Sets a known option after validating it; 400 for unknown keys and bad values. */
    public String set(String key, String value) {
        if (!CREDITS_PER_USD.equals(key)) {
            throw ApiError.INVALID_REQUEST.exception("key: unknown option \"" + key + "\" (known: " + CREDITS_PER_USD + ")");
        }
        BigDecimal rate = parseRate(value);
        String normalised = Money.plain(rate).toPlainString();
        sql.jdbc().sql("UPDATE credit_options SET opt_value = :v, updated_at_ms = :t WHERE opt_key = :k")
                .param("v", normalised).param("t", clock.millis()).param("k", key).update();
        creditsPerUsd = new Recent<>(rate);
        return normalised;
    }

    private static BigDecimal parseRate(String value) {
        BigDecimal rate;
        try {
            rate = Decimals.parse(value, CREDITS_PER_USD);
        } catch (IllegalArgumentException e) {
            throw ApiError.INVALID_REQUEST.exception("value: " + e.getMessage());
        }
        if (rate.signum() <= 0 || rate.compareTo(MAX_RATE) > 0 || rate.stripTrailingZeros().scale() > 6) {
            throw ApiError.INVALID_REQUEST.exception("value: " + rate.toPlainString()
                    + " (expected: a decimal in (0, 1000000] with at most 6 decimals)");
        }
        return rate;
    }
}
