package dev.creditgate.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Answer of the usage webhook receiver: {@code {"success":true,"message":"charged","eventId":".."}}.
 * HTTP 200 with {@code success:false} asks the sender to retry (transient failure); 4xx means the delivery is
 * rejected for good (bad signature, malformed body, unknown key).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record WebhookAnswer(boolean success, String message, String eventId) {
}
