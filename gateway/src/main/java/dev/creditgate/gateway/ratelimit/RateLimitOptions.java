package dev.creditgate.gateway.ratelimit;

import java.util.Optional;

/** What the options registry needs of the rate limits: the check of {@code ModelRequestRateLimitGroup}. */
public final class RateLimitOptions {

    private RateLimitOptions() {
    }

    /** The error for a bad {@code ModelRequestRateLimitGroup} value ({@code {"group": [count, successCount]}}), if any. */
    public static Optional<String> validateGroups(String value) {
        try {
            RateLimitSettings.parseGroups(value);
            return Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.of(e.getMessage());
        }
    }
}
