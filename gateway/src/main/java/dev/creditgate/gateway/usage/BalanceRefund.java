package dev.creditgate.gateway.usage;

/**
 * Quota given back to a token's {@code remain_quota} and its user's {@code quota} (the unused part of a
 * reservation), written by the {@link LogWriter} in the same transaction as a batch of log rows.
 *
 * @param tokenId    the token (0: none)
 * @param tokenQuota added to {@code tokens.remain_quota} (0 for an unlimited token, whose balance was not debited)
 * @param userId     the token's user (0: none)
 * @param userQuota  added to {@code users.quota}
 */
public record BalanceRefund(long tokenId, long tokenQuota, long userId, long userQuota) implements LogWriter.Queued {

    public BalanceRefund {
        if (tokenQuota < 0 || userQuota < 0) {
            throw new IllegalArgumentException("refund: token " + tokenQuota + ", user " + userQuota
                    + " (expected: >= 0)");
        }
    }
}
