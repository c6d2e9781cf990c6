package dev.creditgate.gateway.credit;

/**
 * 404 from the credit platform for a key: the key is unknown there. A business answer, not an outage.
 *
 * @param keyId   the platform key id that was asked for
 * @param message the platform's message, e.g. {@code "API Key not found"}
 */
public record NotFound(String keyId, String message) implements BalanceResult, HoldResult, LeaseResult {
}
