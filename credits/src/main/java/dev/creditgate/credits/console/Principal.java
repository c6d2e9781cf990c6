package dev.creditgate.credits.console;

/** Who a console session belongs to: the operator (admin token) or the holder of one API key. */
sealed interface Principal {

    /** Logged in with {@code credits.admin-token}: the operator pages. */
    record Operator() implements Principal {
    }

    /** Logged in with an API key: {@code /console/me}, that key's user only. */
    record Holder(String userId, String keyId) implements Principal {
    }
}
