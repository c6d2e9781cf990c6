package dev.creditgate.gateway.credit;

/**
 * What the admission step does with a request on a {@code letaicode} token: go on, 403, 429, 503 or 401.
 * Produced by {@link CreditCheck} and {@link FallbackPolicy}.
 */
public sealed interface CreditVerdict permits CreditVerdict.Allow, CreditVerdict.Insufficient,
        CreditVerdict.ServiceUnavailable, CreditVerdict.UnknownKey, CreditVerdict.TooManyHolds {

    /** On what grounds a request was let through. */
    enum Basis {
        /** The platform's real-time credit. */
        PLATFORM,
        /** Fallback {@code local}: the cached last known balance, minus what this instance let through since. */
        LAST_KNOWN_BALANCE,
        /** Fallback {@code local}: the owner's local quota. */
        LOCAL_QUOTA,
        /** Fallback {@code allow}: inside {@code letaicode_fallback_allowance}. */
        ALLOWANCE
    }

    /**
     * Go on and call the upstream.
     *
     * @param basis  why
     * @param detail for logs: the decision or the platform failure that led to the fallback ({@code null} when none)
     */
    record Allow(Basis basis, String detail) implements CreditVerdict {
    }

    /** HTTP 403 {@code insufficient_user_quota} with {@code decision.message()}; the upstream is not called. */
    record Insufficient(CheckDecision decision) implements CreditVerdict {
        public String message() {
            return decision.message();
        }

        public String code() {
            return CheckDecision.CODE;
        }
    }

    /** HTTP 503 {@code credit_service_unavailable} with {@code message} (which names the reason). */
    record ServiceUnavailable(String message) implements CreditVerdict {
        public static final String CODE = "credit_service_unavailable";

        public String code() {
            return CODE;
        }
    }

    /** The platform does not know the key (404): treat the token as invalid (HTTP 401). */
    record UnknownKey(String message) implements CreditVerdict {
    }

    /** HTTP 429 {@code rate_limit_exceeded}: the platform holds the most pending holds it allows for the key. */
    record TooManyHolds(String message) implements CreditVerdict {
    }
}
