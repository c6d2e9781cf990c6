package dev.creditgate.testkit;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import tools.jackson.databind.JsonNode;

/**
 * Everything one answer needs, decided before writing it.
 *
 * @param model            the request's model
 * @param chunks           the content deltas to send (already capped by max_tokens)
 * @param truncated        true when max_tokens cut the reply short
 * @param promptTokens     prompt/input tokens to report, the cached ones included
 * @param completionTokens completion/output tokens to report
 * @param omitUsage        leave usage out
 * @param request          the parsed request
 * @param created          epoch seconds
 * @param cache            the cached part of {@code promptTokens} to report
 */
record Call(String model, List<String> chunks, boolean truncated, long promptTokens, long completionTokens,
            boolean omitUsage, JsonNode request, long created, Cache cache) {

    /** Prompt tokens read from the cache, written to it (5-minute lifetime) and written with the 1-hour lifetime. */
    record Cache(long read, long write, long write1h) {
        static final Cache NONE = new Cache(0, 0, 0);

        long total() {
            return read + write + write1h;
        }
    }

    String text() {
        return String.join("", chunks);
    }

    long totalTokens() {
        return promptTokens + completionTokens;
    }

    private static final char[] ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    static String randomId(String prefix, int length, boolean hex) {
        char[] alphabet = hex ? HEX : ALNUM;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        StringBuilder sb = new StringBuilder(prefix.length() + length).append(prefix);
        for (int i = 0; i < length; i++) {
            sb.append(alphabet[random.nextInt(alphabet.length)]);
        }
        return sb.toString();
    }
}
