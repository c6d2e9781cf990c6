package dev.creditgate.contract;

/**
 * The {@code outcome} of a capture, release or extension. Repeating a capture (same {@code eventId}) or a release answers
 * the same outcome again (idempotent). HTTP status per operation:
 *
 * <table>
 *   <tr><th>hold state</th><th>capture</th><th>release</th><th>extend</th></tr>
 *   <tr><td>pending</td><td>200 CAPTURED</td><td>200 RELEASED</td><td>200 EXTENDED</td></tr>
 *   <tr><td>pending, TTL passed / expired</td><td>200 CAPTURED_AFTER_EXPIRY (409 EXPIRED when late captures
 *       are refused by configuration)</td><td>200 EXPIRED</td><td>409 EXPIRED</td></tr>
 *   <tr><td>captured, same eventId</td><td>200 CAPTURED / CAPTURED_AFTER_EXPIRY (replay)</td><td>409 ALREADY_CAPTURED</td><td>409 ALREADY_CAPTURED</td></tr>
 *   <tr><td>captured, other eventId</td><td>409 ALREADY_CAPTURED</td><td>409 ALREADY_CAPTURED</td><td>409 ALREADY_CAPTURED</td></tr>
 *   <tr><td>released</td><td>409 RELEASED</td><td>200 RELEASED (replay)</td><td>409 RELEASED</td></tr>
 *   <tr><td>pending, eventId already charged elsewhere</td><td>200 DUPLICATE_EVENT (hold voided, nothing debited)</td><td>-</td><td>-</td></tr>
 * </table>
 */
public enum HoldOutcome {
    /** Capture posted: the reservation is gone, {@code captured} credits debited (more than the hold: debt). */
    CAPTURED,
    /** The hold had expired; the capture was still posted as a plain debit (the request was served). */
    CAPTURED_AFTER_EXPIRY,
    /** The capture's eventId was already charged (by a webhook or another capture): hold voided, nothing debited. */
    DUPLICATE_EVENT,
    /** The hold is released (voided): nothing debited. On capture: 409. */
    RELEASED,
    /** The hold expired: nothing held, nothing debited. On release: 200; on a refused late capture: 409. */
    EXPIRED,
    /** The hold was captured already (under another eventId, or a release came after the capture): 409. */
    ALREADY_CAPTURED,
    /** Extension: the hold is still pending and expires at the answer's {@code expiresAt} (repeating it is safe). */
    EXTENDED
}
