package dev.creditgate.gateway.quota;

/**
 * Quota taken from a native token and its user at admission, to be settled or refunded.
 *
 * @param tokenId        the token charged
 * @param tokenUnlimited whether the token's {@code remain_quota} was left alone (only the user was debited)
 * @param userId         the token's owner, whose {@code quota} was debited
 * @param quota          the amount taken from each of them, in quota units (>= 0)
 */
record Reservation(long tokenId, boolean tokenUnlimited, long userId, long quota) {

    Reservation {
        if (quota < 0) {
            throw new IllegalArgumentException("quota: " + quota + " (expected: >= 0)");
        }
    }
}
