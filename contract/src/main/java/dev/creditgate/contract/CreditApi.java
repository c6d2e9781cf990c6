package dev.creditgate.contract;

/** Paths and header names of the credit platform's service API (SPEC 5), shared by the platform and its client. */
public final class CreditApi {

    /** Header carrying the service token ({@code credits.service-token} or {@code credits.balance-token}). */
    public static final String HEADER_API_KEY = "X-API-Key";
    /** {@code GET BALANCE_PATH + keyId}. */
    public static final String BALANCE_PATH = "/api/credits/balance/";
    /** {@code POST HOLDS_PATH}; {@code POST HOLDS_PATH + "/" + holdId + "/capture"}, {@code "/release"}, {@code "/extend"}. */
    public static final String HOLDS_PATH = "/api/credits/holds";
    /**
     * Credit leases (SPEC 4.4): {@code POST LEASES_PATH} opens (or returns) the lease of one user for one gateway
     * instance; {@code LEASES_PATH + "/" + leaseId + "/refresh"}, {@code "/settle"}, {@code "/release"}.
     */
    public static final String LEASES_PATH = "/api/credits/leases";

    /** The most events one lease settlement may carry ({@code POST /api/credits/leases/:id/settle}). */
    public static final int MAX_SETTLE_EVENTS = 500;
    /** Usage webhook receiver. */
    public static final String WEBHOOK_PATH = "/api/webhooks/usage";

    /** The gateway's event id of a request is this prefix and its request id (captures, webhooks, reconciliation). */
    public static final String GATEWAY_EVENT_PREFIX = "cg-";

    /** {@code code} of a 402 hold or lease refusal. */
    public static final String CODE_INSUFFICIENT_CREDIT = "insufficient_credit";

    private CreditApi() {
    }

    public static String capturePath(String holdId) {
        return HOLDS_PATH + "/" + holdId + "/capture";
    }

    public static String releasePath(String holdId) {
        return HOLDS_PATH + "/" + holdId + "/release";
    }

    public static String extendPath(String holdId) {
        return HOLDS_PATH + "/" + holdId + "/extend";
    }

    public static String leaseRefreshPath(String leaseId) {
        return LEASES_PATH + "/" + leaseId + "/refresh";
    }

    public static String leaseSettlePath(String leaseId) {
        return LEASES_PATH + "/" + leaseId + "/settle";
    }

    public static String leaseReleasePath(String leaseId) {
        return LEASES_PATH + "/" + leaseId + "/release";
    }
}
