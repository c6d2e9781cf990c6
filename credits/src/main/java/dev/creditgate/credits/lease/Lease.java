package dev.creditgate.credits.lease;

/**
 * A lease row. Amounts in micro-credits ({@code amount}: unspent and held while ACTIVE, 0 once final;
 * {@code spent}: settled through it), times in unix ms.
 */
record Lease(String id, String userId, String owner, String keyId, long amount, long spent, String status,
             long createdAtMs, long expiresAtMs, Long finalizedAtMs) {

    static final String ACTIVE = "ACTIVE";
    static final String RELEASED = "RELEASED";
    static final String EXPIRED = "EXPIRED";

    static final String COLUMNS = "id, user_id, owner, key_id, amount, spent, status, created_at_ms, expires_at_ms, "
            + "finalized_at_ms";

    boolean active() {
        return ACTIVE.equals(status);
    }

    static Lease map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        long finalized = rs.getLong(10);
        Long finalizedAt = rs.wasNull() ? null : finalized;
        return new Lease(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                rs.getLong(6), rs.getString(7), rs.getLong(8), rs.getLong(9), finalizedAt);
    }
}
