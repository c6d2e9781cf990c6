package dev.creditgate.gateway.admission;

import dev.creditgate.gateway.web.ErrorCode;
import dev.creditgate.gateway.web.GatewayException;

/**
 * Admission says no. Carries the wire error: {@link #status()}, {@link #type()}, {@link #code()} and the message
 * (which, for quota, names remaining and needed in one unit). The relay renders it in the route's shape and does
 * not call any upstream. Use {@link ErrorCode#INSUFFICIENT_QUOTA} or {@link ErrorCode#CREDIT_SERVICE_UNAVAILABLE}.
 */
public class AdmissionRefusedException extends GatewayException {

    public AdmissionRefusedException(ErrorCode error, String message) {
        super(error, message);
    }

    public int status() {
        return error().status();
    }

    public String type() {
        return error().type();
    }

    public String code() {
        return error().code();
    }
}
