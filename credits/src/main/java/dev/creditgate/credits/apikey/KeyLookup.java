package dev.creditgate.credits.apikey;

import java.util.Optional;

import org.springframework.stereotype.Component;

import dev.creditgate.credits.db.Sql;
import dev.creditgate.credits.web.RequestBodies;

/** Finds keys by the platform's id or by the gateway's token id, for holds, balance and webhooks. */
@Component
public class KeyLookup {

    public static final String ACTIVE = "ACTIVE";
    public static final String DISABLED = "DISABLED";
    public static final String DELETED = "DELETED";

    private final Sql sql;

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
