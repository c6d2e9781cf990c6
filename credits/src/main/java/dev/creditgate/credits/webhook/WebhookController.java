package dev.creditgate.credits.webhook;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import dev.creditgate.contract.CreditApi;
import dev.creditgate.contract.JsJson;
import dev.creditgate.contract.UsageEvent;
import dev.creditgate.contract.UsageEventJson;
import dev.creditgate.contract.WebhookAnswer;
import dev.creditgate.contract.WebhookSignature;
import dev.creditgate.credits.CreditsProperties;
import dev.creditgate.credits.apikey.KeyLookup;
import dev.creditgate.credits.db.Sql;
import dev.creditgate.credits.ledger.EntryType;
import dev.creditgate.credits.ledger.Ledger;
import dev.creditgate.credits.ledger.Money;
import dev.creditgate.credits.metrics.CreditMetrics;
import dev.creditgate.credits.option.OptionService;

/**
 * {@code POST /api/webhooks/usage}, LetAiCode compatible (SPEC 4.2).
 *
 * <p>Signature: when {@code x-webhook-signature-v2} is present it must be valid and within the tolerance window
 * (the v1 header is then not needed). Otherwise, unless {@code credits.webhook.require-v2}, the v1 header must
 * match either the raw body or its JavaScript re-serialisation ({@code JSON.stringify(JSON.parse(body))}, what
 * LetAiCode itself signs over; for this project's gateway both are the same bytes). Then the event is charged
 * {@code cost x credits_per_usd} once per eventId (shared with hold captures), even if that takes the balance
 * below zero: the usage was served, and refusing would only make the sender retry forever.
 *
 * <p>Answers {@code {success, message, eventId}}: 200 charged or duplicate; 401 bad/missing/stale signature;
 * 400 malformed body; 404 unknown key; 200 with {@code success:false} for a transient failure (asks for a retry).
 * Every delivery is counted ({@code credits_webhooks_total{outcome}}); accepted ones (2xx) are recorded in
 * {@code webhook_log}, rejected ones (4xx, forged ones among them) only as a sample of
 * {@code credits.webhook.rejected-samples-per-minute} per minute, their body cut to
 * {@code credits.webhook.rejected-body-chars}, so that a flood of forged deliveries cannot fill the database.
 */
@RestController
class WebhookController {

    private static final Logger log = LoggerFactory.getLogger(WebhookController.class);

    private final Sql sql;
    private final TransactionTemplate tx;
    private final Ledger ledger;
    private final KeyLookup keys;
    private final OptionService options;
    private final Clock clock;
    private final CreditMetrics metrics;
    private final CreditsProperties props;
    private final PerMinuteSample rejectedSamples;

    WebhookController(Sql sql, TransactionTemplate tx, Ledger ledger, KeyLookup keys, OptionService options, Clock clock,
                      CreditMetrics metrics, CreditsProperties props) {
        this.sql = sql;
        this.tx = tx;
        this.ledger = ledger;
        this.keys = keys;
        this.options = options;
        this.clock = clock;
        this.metrics = metrics;
        this.props = props;
        this.rejectedSamples = new PerMinuteSample(props.webhook().rejectedSamplesPerMinute());
    }

    private record Verdict(int status, boolean success, String outcome, String message, String eventId) {
    }

    @PostMapping(CreditApi.WEBHOOK_PATH)
    ResponseEntity<WebhookAnswer> receive(@RequestBody(required = false) byte[] body,
                                          @RequestHeader(value = WebhookSignature.HEADER_V1, required = false) String v1,
                                          @RequestHeader(value = WebhookSignature.HEADER_V2, required = false) String v2,
                                          @RequestHeader(value = WebhookSignature.HEADER_TIMESTAMP, required = false) String ts) {
        byte[] bytes = body == null ? new byte[0] : body;
        Verdict v;
        try {
            v = process(bytes, v1, v2, ts);
        } catch (DataAccessException e) {
            log.warn("usage webhook could not be processed, asking for a retry: {}", e.getClass().getSimpleName());
            v = new Verdict(200, false, "retry", "temporarily unable to process the event, retry later", null);
        }
        metrics.webhook(v.outcome());
        record(bytes, v);
        return ResponseEntity.status(v.status()).body(new WebhookAnswer(v.success(), v.message(), v.eventId()));
    }

    private Verdict process(byte[] body, String v1, String v2, String ts) {
        String secret = props.webhookSecret();
        if (v2 != null) {
            var r = WebhookSignature.verifyV2(secret, body, v2, ts, clock.millis() / 1000, props.webhook().tolerance());
            switch (r) {
                case VALID -> { }
                case STALE -> {
                    return reject(401, "stale", "signature timestamp outside the accepted window (replay?)");
                }
                default -> {
                    return reject(401, "bad_signature", "invalid signature");
                }
            }
        } else if (props.webhook().requireV2()) {
            return reject(401, "bad_signature", "x-webhook-signature-v2 required");
        } else if (v1 == null) {
            return reject(401, "bad_signature", "missing signature");
        } else if (!WebhookSignature.verifyV1(secret, body, v1) && !verifiesReserialised(secret, body, v1)) {
            return reject(401, "bad_signature", "invalid signature");
        }
        UsageEvent event;
        try {
            event = UsageEventJson.read(body);
        } catch (IllegalArgumentException e) {
            return reject(400, "malformed", e.getMessage());
        }
        String eventId = event.eventId();
        if (!UsageEvent.TYPE_USAGE.equals(event.eventType())) {
            return new Verdict(400, false, "malformed", "eventType: \"" + event.eventType() + "\" (expected: usage)", eventId);
        }
        BigDecimal cost = event.data().cost();
        if (cost.signum() < 0 || cost.compareTo(props.holds().maxAmountUsd()) > 0) {
            return new Verdict(400, false, "malformed", "data.cost: " + cost.toPlainString() + " (expected: 0 .. "
                    + props.holds().maxAmountUsd().toPlainString() + ")", eventId);
        }
        Optional<KeyLookup.KeyRef> key = event.data().keyId() != null
                ? keys.byId(event.data().keyId())
                : event.data().remoteKeyId() > 0 ? keys.byRemoteId(event.data().remoteKeyId()) : Optional.empty();
        if (key.isEmpty() || !key.get().wasIssued()) {
            return new Verdict(404, false, "unknown_key", "API Key not found", eventId);
        }
        Long tokenId = key.get().remoteKeyId();
        if (event.data().keyId() != null && event.data().remoteKeyId() > 0 && tokenId != null
                && tokenId != event.data().remoteKeyId()) {
            // both ids given and they name different keys: charging either could charge the wrong user
            return new Verdict(400, false, "malformed", "data.remoteKeyId: " + event.data().remoteKeyId()
                    + " (expected: the gateway token id of key " + event.data().keyId() + ")", eventId);
        }
        long amount = Money.usdToMicros(cost, options.creditsPerUsd());
        long now = clock.millis();
        KeyLookup.KeyRef k = key.get();
        Boolean charged = tx.execute(status -> {
            Map<String, Object> p = new HashMap<>();
            p.put("e", eventId);
            p.put("u", k.userId());
            p.put("a", amount);
            p.put("now", now);
            if (sql.insertIgnore("processed_events", "(event_id, source, user_id, amount, created_at_ms)"
                    + " VALUES (:e, 'WEBHOOK', :u, :a, :now)", p) == 0) {
                return false;
            }
            ledger.post(new Ledger.Entry(k.userId(), EntryType.DEDUCT, -amount, "usage:" + eventId,
                    event.data().model(), k.id(), null, eventId), 0, false);
            return true;
        });
        if (Boolean.TRUE.equals(charged)) {
            return new Verdict(200, true, "charged", "charged " + Money.toCredits(amount).toPlainString() + " credits", eventId);
        }
        return new Verdict(200, true, "duplicate", "duplicate event: already charged", eventId);
    }

    private static boolean verifiesReserialised(String secret, byte[] body, String v1) {
        try {
            return WebhookSignature.verifyV1(secret, JsJson.restringifyBytes(body), v1);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static Verdict reject(int status, String outcome, String message) {
        return new Verdict(status, false, outcome, message, null);
    }

    private void record(byte[] body, Verdict v) {
        boolean rejected = v.status() >= 400;
        if (rejected && !rejectedSamples.take(clock.millis())) {
            metrics.webhookUnlogged(v.outcome());
            return;
        }
        try {
            int max = rejected ? props.webhook().rejectedBodyChars() : props.webhook().logBodyChars();
            String text = new String(body, 0, Math.min(body.length, max * 4), StandardCharsets.UTF_8);
            Map<String, Object> p = new HashMap<>();
            p.put("e", v.eventId());
            p.put("t", clock.millis());
            p.put("o", v.outcome());
            p.put("s", v.status());
            p.put("m", v.message().length() > 500 ? v.message().substring(0, 500) : v.message());
            p.put("b", text.length() > max ? text.substring(0, max) : text);
            sql.jdbc().sql("INSERT INTO webhook_log (event_id, received_at_ms, outcome, http_status, message, body)"
                    + " VALUES (:e, :t, :o, :s, :m, :b)").params(p).update();
        } catch (DataAccessException e) {
            log.warn("webhook log write failed: {}", e.getClass().getSimpleName());
        }
    }
}
