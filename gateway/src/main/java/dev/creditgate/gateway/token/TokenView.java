package dev.creditgate.gateway.token;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A token as the management API shows it (new-api's field names); {@code key} is masked except on creation. */
record TokenView(
        long id,
        @JsonProperty("user_id") long userId,
        String key,
        int status,
        String name,
        @JsonProperty("created_time") long createdTime,
        @JsonProperty("accessed_time") long accessedTime,
        @JsonProperty("expired_time") long expiredTime,
        @JsonProperty("remain_quota") long remainQuota,
        @JsonProperty("unlimited_quota") boolean unlimitedQuota,
        @JsonProperty("used_quota") long usedQuota,
        @JsonProperty("request_count") long requestCount,
        @JsonProperty("model_limits_enabled") boolean modelLimitsEnabled,
        @JsonProperty("model_limits") String modelLimits,
        @JsonProperty("allow_ips") String allowIps,
        String group,
        String source,
        @JsonProperty("remote_key_id") String remoteKeyId) {

    static TokenView masked(Token t) {
        return of(t, t.maskedKey());
    }

    /** The creating answer: {@code key} is the full key (without {@code sk-}), known only to that request. */
    static TokenView withFullKey(Token t, String key) {
        return of(t, "sk-" + key);
    }

    private static TokenView of(Token t, String key) {
        return new TokenView(t.id(), t.userId(), key, t.status(), t.name(), t.createdTime(), t.accessedTime(),
                t.expiredTime(), t.remainQuota(), t.unlimitedQuota(), t.usedQuota(), t.requestCount(),
                t.modelLimitsEnabled(), t.modelLimits(), t.allowIps(), t.group(), t.source(), t.remoteKeyId());
    }
}
