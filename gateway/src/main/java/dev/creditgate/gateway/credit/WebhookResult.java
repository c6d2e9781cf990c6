package dev.creditgate.gateway.credit;

/** Outcome of one usage webhook delivery ({@link CreditPlatformClient#postWebhook}). */
public sealed interface WebhookResult permits WebhookResult.Delivered, WebhookResult.Failed {

    /** 2xx whose JSON does not say {@code success:false}. */
    record Delivered(int status) implements WebhookResult {
    }

    /**
     * Non-2xx, 2xx with {@code success:false}, timeout or transport error: the sender retries later.
     *
     * @param status HTTP status, or 0 when no answer arrived
     * @param reason why, naming the status or the transport error
     */
    record Failed(int status, String reason) implements WebhookResult {
    }
}
