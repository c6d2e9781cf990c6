package dev.creditgate.credits.apikey;

import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

import dev.creditgate.credits.db.Recent;
import dev.creditgate.credits.db.Sql;
import dev.creditgate.credits.web.ApiError;
import dev.creditgate.credits.web.RequestBodies;

/** Finds keys by the platform's id or by the gateway's token id, for holds, leases, balance and webhooks. */
@Component
public class KeyLookup {

    public static final String ACTIVE = "ACTIVE";
    public static final String DISABLED = "DISABLED";
    public static final String DELETED = "DELETED";

    /**
     * How long {@link #requireActiveCached} trusts an ACTIVE answer: a key disabled or deleted through another
     * instance stops getting holds within this time (SPEC 4.4: within 1 s); through this instance at once.
     */
    public static final long ACTIVE_TTL_MS = 500;
    private static final int CACHE_MAX = 100_000;

    private final Sql sql;
    /** keyId -> the key, as read ACTIVE; only ACTIVE answers are kept. */
    private final ConcurrentHashMap<String, Recent<KeyRef>> active = new ConcurrentHashMap<>();

    public KeyLookup(Sql sql) {
        this.sql = sql;
    }

    /** A key's identity. {@code status}: PENDING, ACTIVE, DISABLED, FAILED or DELETED. */
    public record KeyRef(String id, String userId, String status, Long remoteKeyId) {
        public boolean active() {
            return ACTIVE.equals(status);
        }

        /** Created completely (in the gateway too) at some point: usage on it is real. */
        public boolean wasIssued() {
            return ACTIVE.equals(status) || DISABLED.equals(status) || DELETED.equals(status);
        }
    }

    public Optional<KeyRef> byId(String keyId) {
        if (!RequestBodies.isUuid(keyId)) {
            return Optional.empty();
        }
        return sql.jdbc().sql("SELECT id, user_id, status, remote_key_id FROM api_keys WHERE id = :id")
                .param("id", keyId).query(KeyLookup::map).optional();
    }

    /**
     * The key a new hold or lease is opened with: 404 {@code "API Key not found"} unless it is ACTIVE or DISABLED
     * (unknown, deleted, half-created), 403 {@code key_disabled} when it is DISABLED.
     */
    public KeyRef requireActive(String keyId) {
        KeyRef key = byId(keyId).filter(k -> k.active() || DISABLED.equals(k.status()))
                .orElseThrow(() -> ApiError.NOT_FOUND.exception("API Key not found"));
        if (!key.active()) {
            throw ApiError.KEY_DISABLED.exception("API key " + keyId + " is disabled");
        }
        return key;
    }

    /**
     * {@link #requireActive} for the hold path, answered from memory when this key was read ACTIVE less than
     * {@link #ACTIVE_TTL_MS} ago. Any other status is read from the database every time (a re-enabled key works at
     * once); {@link #forget} drops a key whose status this instance changed.
     */
    public KeyRef requireActiveCached(String keyId) {
        Recent<KeyRef> cached = keyId == null ? null : active.get(keyId);
        KeyRef key = cached == null ? null : cached.usable(ACTIVE_TTL_MS);
        if (key != null) {
            return key;
        }
        try {
            key = requireActive(keyId);
        } catch (RuntimeException notActive) {
            active.remove(keyId);
            throw notActive;
        }
        if (active.size() >= CACHE_MAX) {
            active.clear();
        }
        active.put(keyId, new Recent<>(key));
        return key;
    }

    /** Forgets what {@link #requireActiveCached} knows of this key (its status changed here). */
    public void forget(String keyId) {
        if (keyId != null) {
            active.remove(keyId);
        }
    }

    /**
     * Which of {@code keyIds} are not ACTIVE keys of {@code userId} (disabled, deleted, unknown, another user's),
     * in the order asked, each once; one query.
     */
    public List<String> notActive(String userId, Collection<String> keyIds) {
        Set<String> asked = new LinkedHashSet<>(keyIds);
        List<String> uuids = asked.stream().filter(RequestBodies::isUuid).toList();
        Set<String> active = uuids.isEmpty() ? Set.of() : new HashSet<>(sql.jdbc()
                .sql("SELECT id FROM api_keys WHERE user_id = :u AND status = 'ACTIVE' AND id IN (:ids)")
                .param("u", userId).param("ids", uuids).query(String.class).list());
        return asked.stream().filter(k -> !active.contains(k)).toList();
    }

    /** Which of {@code keyIds} are keys of {@code userId}, whatever their status; one query. */
    public Set<String> ofUser(String userId, Collection<String> keyIds) {
        List<String> uuids = keyIds.stream().filter(RequestBodies::isUuid).distinct().toList();
        if (uuids.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(sql.jdbc().sql("SELECT id FROM api_keys WHERE user_id = :u AND id IN (:ids)")
                .param("u", userId).param("ids", uuids).query(String.class).list());
    }

    public Optional<KeyRef> byRemoteId(long remoteKeyId) {
        return sql.jdbc().sql("SELECT id, user_id, status, remote_key_id FROM api_keys WHERE remote_key_id = :r"
                        + " ORDER BY created_at_ms DESC")
                .param("r", remoteKeyId).query(KeyLookup::map).list().stream().findFirst();
    }

    private static KeyRef map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        long r = rs.getLong(4);
        return new KeyRef(rs.getString(1), rs.getString(2), rs.getString(3), rs.wasNull() ? null : r);
    }
}
