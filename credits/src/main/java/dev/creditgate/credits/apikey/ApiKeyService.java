package dev.creditgate.credits.apikey;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;

import dev.creditgate.credits.CreditsProperties;
import dev.creditgate.credits.db.Sql;
import dev.creditgate.credits.gatewaysync.GatewayClient;
import dev.creditgate.credits.gatewaysync.GatewayException;
import dev.creditgate.credits.web.ApiError;
import dev.creditgate.credits.web.RequestBodies;

/**
 * API keys, created in the gateway and here together or not at all.
 *
 * <p>Creation: the platform makes the key value itself (48 random characters) and its id (UUID), records the key
 * as PENDING (unusable: the balance endpoint and holds only know ACTIVE keys), then asks the gateway to create the
 * token with that key and {@code remote_key_id} = the key id, and on success stores the token id and makes the key
 * ACTIVE. When the gateway refuses (4xx), the PENDING row is deleted. When the answer is ambiguous (timeout,
 * transport error, 5xx: the token may exist), the platform looks the token up by remote_key_id and deletes it, and
 * keeps the row as FAILED: {@link KeyReconciler} looks again after {@code credits.gateway.reconcile-after} (a
 * timed-out create can still land late), deletes any token it finds, and only then forgets the row. A retry by the
 * client makes a new key id, so it never collides with the failed one.
 *
 * <p>Only the SHA-256 of the key and a masked form are stored; the full key is in the creation answer only.
 */
@Service
public class ApiKeyService {

    private static final Logger log = LoggerFactory.getLogger(ApiKeyService.class);
    private static final char[] ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    static final String PENDING = "PENDING";
    static final String FAILED = "FAILED";

    private final Sql sql;
    private final GatewayClient gateway;
    private final Clock clock;
    private final CreditsProperties.Gateway props;
    private final KeyLookup keyLookup;
    private final SecureRandom random = new SecureRandom();

    ApiKeyService(Sql sql, GatewayClient gateway, Clock clock, CreditsProperties props, KeyLookup keyLookup) {
        this.sql = sql;
        this.keyLookup = keyLookup;
        this.gateway = gateway;
        this.clock = clock;
        this.props = props.gateway();
    }

    /** A key as stored (no secret). */
    public record KeyRow(String id, String userId, String label, String masked, Long remoteKeyId, String status,
                  long createdAtMs) {
        public String createdAt() {
            return java.time.Instant.ofEpochMilli(createdAtMs).toString();
        }
    }

    /** A created key with its full value (shown once). */
    public record Created(KeyRow row, String fullKey) {
    }

    public Created create(String userId, String label) {
        if (!RequestBodies.isUuid(userId) || sql.jdbc().sql("SELECT COUNT(*) FROM users WHERE id = :id")
                .param("id", userId).query(Long.class).single() == 0) {
            throw ApiError.NOT_FOUND.exception("user not found: " + userId);
        }
        if (!gateway.configured()) {
            throw ApiError.GATEWAY_NOT_CONFIGURED.exception("the gateway is not configured (credits.gateway.url, credits.gateway.admin-token)");
        }
        String id = UUID.randomUUID().toString();
        String key = randomKey();
        String masked = "sk-" + key.substring(0, 4) + "****" + key.substring(key.length() - 4);
        long now = clock.millis();
        sql.jdbc().sql("""
                        INSERT INTO api_keys (id, user_id, label, key_hash, masked, status, created_at_ms, updated_at_ms)
                        VALUES (:id, :user, :label, :hash, :masked, 'PENDING', :now, :now)""")
                .params(Map.of("id", id, "user", userId, "label", label, "hash", sha256(key), "masked", masked, "now", now))
                .update();
        long tokenId;
        try {
            tokenId = gateway.createToken(label, key, id);
        } catch (GatewayException e) {
            if (e.definite()) {
                sql.jdbc().sql("DELETE FROM api_keys WHERE id = :id AND status = 'PENDING'").param("id", id).update();
                throw ApiError.GATEWAY_ERROR.exception("the gateway refused the key, nothing was created: " + e.getMessage());
            }
            markFailed(id);
            compensate(id, null);
            throw ApiError.GATEWAY_ERROR.exception("the gateway did not confirm the key, nothing was created (any token "
                    + "it may have made is removed): " + e.getMessage());
        }
        try {
            int n = sql.jdbc().sql("UPDATE api_keys SET status = 'ACTIVE', remote_key_id = :r, updated_at_ms = :now"
                            + " WHERE id = :id AND status = 'PENDING'")
                    .param("r", tokenId).param("now", clock.millis()).param("id", id).update();
            if (n != 1) {
                throw new IllegalStateException("key " + id + " left PENDING while the gateway call ran");
            }
        } catch (DataAccessException | IllegalStateException e) {
            markFailedQuietly(id);
            compensate(id, tokenId);
            throw ApiError.INTERNAL.exception("could not record the key, nothing was created");
        }
        return new Created(find(id).orElseThrow(), "sk-" + key);
    }

    /** Removes the gateway's token of a failed creation (if any); true when the gateway confirmed it is gone. */
    boolean compensate(String keyId, Long knownTokenId) {
        try {
            Optional<Long> token = knownTokenId != null ? Optional.of(knownTokenId) : gateway.findByRemoteKeyId(keyId);
            if (token.isPresent()) {
                gateway.deleteToken(token.get());
                log.info("removed gateway token {} of failed key creation {}", token.get(), keyId);
            }
            return true;
        } catch (GatewayException e) {
            log.warn("compensation for key {} postponed: {}", keyId, e.getMessage());
            return false;
        }
    }

    /** The reconciler's pass: FAILED rows (and PENDING ones older than the grace) whose grace has passed. */
    int reconcile() {
        long cutoff = clock.millis() - props.reconcileAfter().toMillis();
        List<String> ids = sql.jdbc().sql("SELECT id FROM api_keys WHERE status IN ('FAILED', 'PENDING') AND updated_at_ms <= :c")
                .param("c", cutoff).query(String.class).list();
        int done = 0;
        for (String id : ids) {
            if (sql.jdbc().sql("UPDATE api_keys SET status = 'FAILED' WHERE id = :id AND status IN ('FAILED', 'PENDING')")
                    .param("id", id).update() == 1 && compensate(id, null)) {
                sql.jdbc().sql("DELETE FROM api_keys WHERE id = :id AND status = 'FAILED'").param("id", id).update();
                done++;
            }
        }
        return done;
    }

    public KeyRow setStatus(String id, boolean enabled) {
        KeyRow row = find(id).filter(r -> r.status().equals(KeyLookup.ACTIVE) || r.status().equals(KeyLookup.DISABLED))
                .orElseThrow(() -> ApiError.NOT_FOUND.exception("API key not found: " + id));
        try {
            gateway.setStatus(row.remoteKeyId(), enabled);
        } catch (GatewayException e) {
            throw ApiError.GATEWAY_ERROR.exception("the gateway did not apply the change, nothing changed here: " + e.getMessage());
        }
        sql.jdbc().sql("UPDATE api_keys SET status = :s, updated_at_ms = :now WHERE id = :id AND status IN ('ACTIVE', 'DISABLED')")
                .param("s", enabled ? KeyLookup.ACTIVE : KeyLookup.DISABLED).param("now", clock.millis()).param("id", id).update();
        keyLookup.forget(id);
        return find(id).orElseThrow();
    }

    void delete(String id) {
        KeyRow row = find(id).filter(r -> r.status().equals(KeyLookup.ACTIVE) || r.status().equals(KeyLookup.DISABLED))
                .orElseThrow(() -> ApiError.NOT_FOUND.exception("API key not found: " + id));
        try {
            gateway.deleteToken(row.remoteKeyId());
        } catch (GatewayException e) {
            throw ApiError.GATEWAY_ERROR.exception("the gateway did not delete the token, nothing changed here: " + e.getMessage());
        }
        sql.jdbc().sql("UPDATE api_keys SET status = 'DELETED', updated_at_ms = :now WHERE id = :id")
                .param("now", clock.millis()).param("id", id).update();
        keyLookup.forget(id);
    }

    public Optional<KeyRow> find(String id) {
        if (!RequestBodies.isUuid(id)) {
            return Optional.empty();
        }
        return sql.jdbc().sql(SELECT + " WHERE id = :id").param("id", id).query(ApiKeyService::map).optional();
    }

    /** Keys that exist for users: ACTIVE and DISABLED (not PENDING, FAILED or DELETED). */
    public List<KeyRow> list(String userId) {
        String where = " WHERE status IN ('ACTIVE', 'DISABLED')" + (userId != null ? " AND user_id = :u" : "");
        var spec = sql.jdbc().sql(SELECT + where + " ORDER BY created_at_ms, id");
        if (userId != null) {
            spec = spec.param("u", userId);
        }
        return spec.query(ApiKeyService::map).list();
    }

    /**
     * The ACTIVE key whose value is {@code presented} ({@code sk-} + 48 characters), found by its SHA-256 as stored
     * (the value itself is never stored or compared); empty for anything else (unknown, disabled, deleted, malformed).
     */
    public Optional<KeyRow> activeByValue(String presented) {
        if (presented == null || !presented.startsWith("sk-") || presented.length() != 51) {
            return Optional.empty();
        }
        return sql.jdbc().sql(SELECT + " WHERE key_hash = :h AND status = 'ACTIVE'").param("h", sha256(presented.substring(3)))
                .query(ApiKeyService::map).optional();
    }

    private static final String SELECT = "SELECT id, user_id, label, masked, remote_key_id, status, created_at_ms FROM api_keys";

    private static KeyRow map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        long r = rs.getLong(5);
        Long remote = rs.wasNull() ? null : r;
        return new KeyRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), remote, rs.getString(6),
                rs.getLong(7));
    }

    private void markFailed(String id) {
        sql.jdbc().sql("UPDATE api_keys SET status = 'FAILED', updated_at_ms = :now WHERE id = :id")
                .param("now", clock.millis()).param("id", id).update();
    }

    private void markFailedQuietly(String id) {
        try {
            markFailed(id);
        } catch (DataAccessException e) {
            log.warn("could not mark key {} FAILED (the reconciler will treat it as a stale PENDING row)", id);
        }
    }

    private String randomKey() {
        char[] c = new char[48];
        for (int i = 0; i < c.length; i++) {
            c[i] = ALPHABET[random.nextInt(ALPHABET.length)];
        }
        return new String(c);
    }

    static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
