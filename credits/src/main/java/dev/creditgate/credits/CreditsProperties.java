package dev.creditgate.credits;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings under {@code credits.*}. The constructor refuses to build (so the service refuses to start) when a
 * secret is missing or shorter than {@link #MIN_SECRET_LENGTH} characters, naming every bad setting in one message.
 *
 * @param adminToken    bearer token of the admin API (required, 32+ chars)
 * @param serviceToken  {@code X-API-Key} with scopes balance:read and holds:write (required, 32+ chars)
 * @param balanceToken  {@code X-API-Key} with scope balance:read only (optional; 32+ chars when set)
 * @param webhookSecret HMAC secret of incoming usage webhooks (required, 32+ chars)
 * @param creditsPerUsd initial value of the {@code credits_per_usd} option
 * @param maxBodySize   largest request body accepted (413 above; lease settlements: {@link Leases#maxSettleBody})
 */
@ConfigurationProperties("credits")
public record CreditsProperties(
        String adminToken,
        String serviceToken,
        String balanceToken,
        String webhookSecret,
        @DefaultValue("100") BigDecimal creditsPerUsd,
        @DefaultValue("64KB") DataSize maxBodySize,
        @DefaultValue Gateway gateway,
        @DefaultValue Webhook webhook,
        @DefaultValue Holds holds,
        @DefaultValue Leases leases) {

    public static final int MIN_SECRET_LENGTH = 32;

    public CreditsProperties {
        List<String> problems = new ArrayList<>();
        requireSecret("credits.admin-token", adminToken, true, problems);
        requireSecret("credits.service-token", serviceToken, true, problems);
        requireSecret("credits.balance-token", balanceToken, false, problems);
        requireSecret("credits.webhook-secret", webhookSecret, true, problems);
        requireDistinct(problems, new String[] {"credits.admin-token", adminToken},
                new String[] {"credits.service-token", serviceToken}, new String[] {"credits.balance-token", balanceToken},
                new String[] {"credits.webhook-secret", webhookSecret});
        if (creditsPerUsd.signum() <= 0 || creditsPerUsd.compareTo(BigDecimal.valueOf(1_000_000)) > 0) {
            problems.add("credits.credits-per-usd must be in (0, 1000000], got " + creditsPerUsd.toPlainString());
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("credits service refuses to start: " + String.join("; ", problems));
        }
    }

    /** A secret reused for two roles would give one role the other's powers (the balance token could hold credit). */
    private static void requireDistinct(List<String> problems, String[]... named) {
        for (int i = 0; i < named.length; i++) {
            for (int j = i + 1; j < named.length; j++) {
                String a = named[i][1];
                if (a != null && !a.isBlank() && a.equals(named[j][1])) {
                    problems.add(named[i][0] + " and " + named[j][0] + " must differ");
                }
            }
        }
    }

    private static void requireSecret(String name, String value, boolean required, List<String> problems) {
        if (value == null || value.isBlank()) {
            if (required) {
                problems.add(name + " is missing (need " + MIN_SECRET_LENGTH + "+ characters)");
            }
        } else if (value.length() < MIN_SECRET_LENGTH) {
            problems.add(name + " is shorter than " + MIN_SECRET_LENGTH + " characters");
        }
    }

    /**
     * The gateway's management API, where keys are created.
     *
     * @param url        base URL, e.g. {@code http://127.0.0.1:3000}; key creation answers 503 while unset
     * @param adminToken bearer token of the gateway's management API
     * @param timeout    per call deadline
     * @param reconcileAfter how long a failed or interrupted key creation waits before the reconciler removes
     *                   its traces (must exceed {@code timeout}: a timed-out create may still land late)
     */
    public record Gateway(URI url, String adminToken, @DefaultValue("5s") Duration timeout,
                          @DefaultValue("60s") Duration reconcileAfter,
                          @DefaultValue("30s") Duration reconcileInterval) {
    }

    /**
     * @param requireV2 refuse deliveries without a valid v2 (timestamped) signature
     * @param tolerance accepted distance between a v2 timestamp and now
     * @param logBodyChars how much of an accepted delivery's body the webhook log keeps
     * @param rejectedSamplesPerMinute rejected deliveries (4xx: bad or missing signature, stale, malformed, unknown
     *                     key) are all counted ({@code credits_webhooks_total{outcome}}) but only this many per minute
     *                     and instance are stored in {@code webhook_log} (the others counted in
     *                     {@code credits_webhooks_unlogged_total}); 0 stores none
     * @param rejectedBodyChars how much of a rejected delivery's body a stored sample keeps
     */
    public record Webhook(@DefaultValue("false") boolean requireV2, @DefaultValue("300s") Duration tolerance,
                          @DefaultValue("4000") int logBodyChars, @DefaultValue("20") int rejectedSamplesPerMinute,
                          @DefaultValue("256") int rejectedBodyChars) {
        public Webhook {
            if (logBodyChars < 0 || rejectedSamplesPerMinute < 0 || rejectedBodyChars < 0) {
                throw new IllegalArgumentException("credits.webhook.log-body-chars / rejected-samples-per-minute /"
                        + " rejected-body-chars: " + logBodyChars + " / " + rejectedSamplesPerMinute + " / "
                        + rejectedBodyChars + " (expected: >= 0)");
            }
        }
    }

    /**
     * @param defaultTtl        TTL of a hold that names none
     * @param maxTtl            longest TTL accepted
     * @param sweepInterval     how often expired holds are made final
     * @param honourLateCapture post a capture that arrives after its hold expired (the request was served)
     * @param maxAmountUsd      largest hold or capture accepted
     * @param batchLanes        group-commit lanes (threads, one connection each while busy); a user always uses
     *                          the same lane (see {@code HoldBatcher})
     * @param maxBatch          most holds, captures and releases committed in one transaction
     * @param queueCapacity     most holds, captures and releases waiting in one lane; beyond it 503 {@code busy}
     * @param queueDeadline     one not started this long after it queued is dropped with 503 {@code busy}, never
     *                          run later (the gateway's own deadline, {@code letaicode_timeout_ms}, is 2 s by default)
     * @param maxOpenPerKey     most pending (unexpired) holds one API key may have; a grant beyond is answered 429
     *                          {@code too_many_open_holds}; 0 = no limit
     * @param maxOpenPerUser    the same for all keys of one user together; 0 = no limit
     */
    public record Holds(@DefaultValue("300s") Duration defaultTtl, @DefaultValue("86400s") Duration maxTtl,
                        @DefaultValue("5s") Duration sweepInterval, @DefaultValue("true") boolean honourLateCapture,
                        @DefaultValue("1000000") BigDecimal maxAmountUsd, @DefaultValue("4") int batchLanes,
                        @DefaultValue("128") int maxBatch, @DefaultValue("10000") int queueCapacity,
                        @DefaultValue("2s") Duration queueDeadline, @DefaultValue("10000") int maxOpenPerKey,
                        @DefaultValue("10000") int maxOpenPerUser) {
        public Holds {
            if (maxOpenPerKey < 0 || maxOpenPerUser < 0) {
                throw new IllegalArgumentException("credits.holds.max-open-per-key / max-open-per-user: "
                        + maxOpenPerKey + " / " + maxOpenPerUser + " (expected: >= 0, 0 = no limit)");
            }
        }
    }

    /**
     * Credit leases (SPEC 4.4).
     *
     * @param defaultTtl    TTL of a lease whose open or refresh names none
     * @param maxTtl        longest TTL accepted
     * @param recallWait    how long a negative ADMIN_ADJUST that needs credit held by leases waits for the gateways'
     *                      refreshes to return it
     * @param recallPoll    how often it looks again meanwhile
     * @param maxSettleBody largest body of {@code POST /api/credits/leases/:id/settle} (500 events)
     */
    public record Leases(@DefaultValue("30s") Duration defaultTtl, @DefaultValue("3600s") Duration maxTtl,
                         @DefaultValue("2s") Duration recallWait, @DefaultValue("25ms") Duration recallPoll,
                         @DefaultValue("1MB") DataSize maxSettleBody) {
    }
}
