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
 * @param promptTokens     prompt/input tokens to report
 * @param completionTokens completion/output tokens to report
 * @param omitUsage        leave usage out
 * @param request          the parsed request
 * @param created          epoch seconds
 */
record Call(String model, List<String> chunks, boolean truncated, long promptTokens, long completionTokens,
            boolean omitUsage, JsonNode request, long created) {

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
