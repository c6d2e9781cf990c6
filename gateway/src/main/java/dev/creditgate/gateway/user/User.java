package dev.creditgate.gateway.user;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A gateway user (new-api's {@code users}, without passwords: the management API is admin-only). */
record User(
        long id,
        String username,
        long quota,
        @JsonProperty("used_quota") long usedQuota,
        @JsonProperty("request_count") long requestCount,
        String group,
        int status,
        @JsonProperty("created_time") long createdTime) {

    static final int ENABLED = 1;
    static final int DISABLED = 2;
}
