package dev.creditgate.credits.hold;

/** A hold row. Amounts in micro-credits, times in unix ms. */
record Hold(String id, String requestId, String keyId, String userId, long amount, String model, String status,
            long createdAtMs, long expiresAtMs, Long capturedAmount, String eventId, String outcome) {

    static final String PENDING = "PENDING";
    static final String CAPTURED = "CAPTURED";
    static final String RELEASED = "RELEASED";
    static final String EXPIRED = "EXPIRED";

    static final String COLUMNS = "id, request_id, key_id, user_id, amount, model, status, created_at_ms, expires_at_ms, "
            + "captured_amount, event_id, outcome";

    /** This hold in a final state: {@code status}, {@code outcome}, and what a capture sets (null: unchanged). */
    Hold finished(String status, Long captured, String event, String outcomeName) {
        return new Hold(id, requestId, keyId, userId, amount, model, status, createdAtMs, expiresAtMs,
                captured != null ? captured : capturedAmount, event != null ? event : eventId, outcomeName);
    }

    static Hold map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
        long captured = rs.getLong(10);
        Long capturedAmount = rs.wasNull() ? null : captured;
        return new Hold(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5),
                rs.getString(6), rs.getString(7), rs.getLong(8), rs.getLong(9), capturedAmount, rs.getString(11),
                rs.getString(12));
    }
}
