package dev.creditgate.credits.gatewaysync;

/**
 * A failed call to the gateway's management API. {@code definite}: the gateway answered and refused (4xx), so
 * nothing changed there; otherwise (timeout, transport error, 5xx, unreadable answer) the call may or may not have
 * taken effect.
 */
public class GatewayException extends Exception {

    private final boolean definite;

    public GatewayException(String message, boolean definite) {
        super(message, null, false, false);
        this.definite = definite;
    }

    public boolean definite() {
        return definite;
    }
}
