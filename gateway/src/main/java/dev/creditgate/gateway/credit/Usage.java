package dev.creditgate.gateway.credit;

/** Token usage sent with a capture ({@code usage:{model, promptTokens, completionTokens, totalTokens}}). */
public record Usage(String model, long promptTokens, long completionTokens, long totalTokens) {

    public Usage {
        if (promptTokens < 0 || completionTokens < 0 || totalTokens < 0) {
            throw new IllegalArgumentException("usage tokens must be >= 0: " + promptTokens + "/" + completionTokens
                    + "/" + totalTokens);
        }
    }
}
