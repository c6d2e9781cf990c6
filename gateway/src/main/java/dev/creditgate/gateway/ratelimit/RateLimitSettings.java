package dev.creditgate.gateway.ratelimit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.creditgate.gateway.option.OptionService;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The rate limit options at one moment (all run-time options, SPEC 3.3; 0 means "no limit"). new-api's names for
 * what new-api has (per user, over {@code ModelRequestRateLimitDurationMinutes}, with per-group overrides), ours for
 * the rest:
 *
 * <table>
 *   <tr><th>option</th><th>default</th><th>limit</th></tr>
 *   <tr><td>{@code ModelRequestRateLimitEnabled}</td><td>false</td><td>switches new-api's two user limits on</td></tr>
 *   <tr><td>{@code ModelRequestRateLimitDurationMinutes}</td><td>1</td><td>their window (1..1440)</td></tr>
 *   <tr><td>{@code ModelRequestRateLimitCount}</td><td>0</td><td>requests per user per window, refused ones not
 *       counted</td></tr>
 *   <tr><td>{@code ModelRequestRateLimitSuccessCount}</td><td>1000</td><td>successful (2xx) requests per user per
 *       window</td></tr>
 *   <tr><td>{@code ModelRequestRateLimitGroup}</td><td>{@code {}}</td><td>JSON {@code {"group": [count, success]}}:
 *       replaces the two numbers for users (tokens) of that group</td></tr>
 *   <tr><td>{@code rate_limit_key_rpm}, {@code rate_limit_key_tpm}, {@code rate_limit_key_concurrency}</td><td>0</td>
 *       <td>per token: requests per minute, tokens (prompt + completion) per minute, requests in flight</td></tr>
 *   <tr><td>{@code rate_limit_user_rpm}, {@code rate_limit_user_tpm}, {@code rate_limit_user_concurrency}</td>
 *       <td>0</td><td>the same per user (a token without a gateway user, e.g. a {@code letaicode} token, is its own
 *       user)</td></tr>
 * </table>
 */
record RateLimitSettings(
        int userRequests,
        int userSuccesses,
        long userWindowNanos,
        Rates key,
        Rates user) {

    static final String ENABLED = "ModelRequestRateLimitEnabled";
    static final String DURATION_MINUTES = "ModelRequestRateLimitDurationMinutes";
    static final String COUNT = "ModelRequestRateLimitCount";
    static final String SUCCESS_COUNT = "ModelRequestRateLimitSuccessCount";
    static final String GROUP = "ModelRequestRateLimitGroup";
    static final String KEY_RPM = "rate_limit_key_rpm";
    static final String KEY_TPM = "rate_limit_key_tpm";
    static final String KEY_CONCURRENCY = "rate_limit_key_concurrency";
    static final String USER_RPM = "rate_limit_user_rpm";
    static final String USER_TPM = "rate_limit_user_tpm";
    static final String USER_CONCURRENCY = "rate_limit_user_concurrency";

    static final long MINUTE = TimeUnit.MINUTES.toNanos(1);
    static final int MAX_DURATION_MINUTES = 1440;

    /** The rates of one kind of caller (a token or a user); 0 = no limit. */
    record Rates(int rpm, int tpm, int concurrency) {
        static final Rates NONE = new Rates(0, 0, 0);

        boolean any() {
            return rpm > 0 || tpm > 0 || concurrency > 0;
        }
    }

    static final RateLimitSettings OFF = new RateLimitSettings(0, 0, MINUTE, Rates.NONE, Rates.NONE);

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Function<String, Map<String, int[]>> GROUP_PARSER = RateLimitSettings::parseGroups;

    boolean off() {
        return userRequests == 0 && userSuccesses == 0 && !key.any() && !user.any();
    }

    /** The options as they are now; reads the option snapshot only (no database). */
    static RateLimitSettings read(OptionService options, String group) {
        int keyRpm = nonNegative(options, KEY_RPM);
        int keyTpm = nonNegative(options, KEY_TPM);
        int keyConcurrency = nonNegative(options, KEY_CONCURRENCY);
        int userRpm = nonNegative(options, USER_RPM);
        int userTpm = nonNegative(options, USER_TPM);
        int userConcurrency = nonNegative(options, USER_CONCURRENCY);
        boolean enabled = options.getBoolean(ENABLED, false);
        if (!enabled && (keyRpm | keyTpm | keyConcurrency | userRpm | userTpm | userConcurrency) == 0) {
            return OFF; // the default: nothing allocated
        }
        Rates key = keyRpm == 0 && keyTpm == 0 && keyConcurrency == 0 ? Rates.NONE
                : new Rates(keyRpm, keyTpm, keyConcurrency);
        Rates user = userRpm == 0 && userTpm == 0 && userConcurrency == 0 ? Rates.NONE
                : new Rates(userRpm, userTpm, userConcurrency);
        if (!enabled) {
            return new RateLimitSettings(0, 0, MINUTE, key, user);
        }
        int count = nonNegative(options, COUNT);
        int success = options.getInt(SUCCESS_COUNT, 1000);
        int[] override = group == null ? null
                : options.getParsed(GROUP, GROUP_PARSER, Map.<String, int[]>of()).get(group);
        if (override != null) {
            count = override[0];
            success = override[1];
        }
        long minutes = Math.clamp(options.getLong(DURATION_MINUTES, 1), 1, MAX_DURATION_MINUTES);
        return new RateLimitSettings(count, Math.max(0, success), minutes * MINUTE, key, user);
    }

    private static int nonNegative(OptionService options, String key) {
        return Math.max(0, options.getInt(key, 0));
    }

    /** {@code {"vip": [0, 1000], "free": [50, 30]}}: group -> [requests, successful requests] per window, 0 = none. */
    static Map<String, int[]> parseGroups(String value) {
        if (value == null || value.isBlank()) {
            return Map.of();
        }
        JsonNode root;
        try {
            root = JSON.readTree(value);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(GROUP + ": not JSON (expected: {\"group\": [count, successCount]})");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException(GROUP + ": " + (root == null ? "empty" : root.getNodeType())
                    + " (expected: a JSON object {\"group\": [count, successCount]})");
        }
        Map<String, int[]> groups = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            JsonNode pair = e.getValue();
            if (!pair.isArray() || pair.size() != 2 || !pair.get(0).canConvertToInt() || !pair.get(1).canConvertToInt()
                    || !pair.get(0).isIntegralNumber() || !pair.get(1).isIntegralNumber()
                    || pair.get(0).asInt() < 0 || pair.get(1).asInt() < 0) {
                throw new IllegalArgumentException(GROUP + ": \"" + e.getKey() + "\": " + pair
                        + " (expected: [count, successCount], integers >= 0)");
            }
            groups.put(e.getKey(), new int[] {pair.get(0).asInt(), pair.get(1).asInt()});
        }
        return Map.copyOf(groups);
    }
}
