package dev.creditgate.gateway.token;

/**
 * A gateway token (new-api's {@code tokens} row). The key itself is not stored: only its digest and masked form
 * ({@link TokenKeys}).
 *
 * @param userId      0 when the token has no gateway user (tokens of the credit platform)
 * @param keyHash     lower-case hex SHA-256 of the key without {@code sk-}
 * @param maskedKey   {@code sk-abcd****wxyz}: what every answer but the creating one shows
 * @param expiredTime unix seconds, -1 never
 * @param group       the token's group; empty means "the user's group, else default"
 * @param source      {@code native} | {@code letaicode} | {@code external}
 * @param remoteKeyId the credit platform's key id (UUID string), or null
 */
public record Token(
        long id,
        long userId,
        String keyHash,
        String maskedKey,
        String name,
        int status,
        long createdTime,
        long accessedTime,
        long expiredTime,
        long remainQuota,
        boolean unlimitedQuota,
        long usedQuota,
        long requestCount,
        boolean modelLimitsEnabled,
        String modelLimits,
        String allowIps,
        String group,
        String source,
        String remoteKeyId) {

    public static final int ENABLED = 1;
    public static final int DISABLED = 2;
    public static final int EXPIRED = 3;
    public static final int EXHAUSTED = 4;

    public static final String SOURCE_NATIVE = "native";
    public static final String SOURCE_LETAICODE = "letaicode";
    public static final String SOURCE_EXTERNAL = "external";

    @Override
    public String toString() {
        return "Token[id=" + id + ", name=" + name + ", status=" + status + ", source=" + source + "]";
    }
}
