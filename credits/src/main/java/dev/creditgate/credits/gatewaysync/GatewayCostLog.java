package dev.creditgate.credits.gatewaysync;

import java.math.BigDecimal;
import java.util.List;

/**
 * The gateway's cost log, as the reconciliation reads it: what the gateway recorded as the exact cost of every
 * request of a credit-platform token. {@link GatewayClient} reads it over HTTP; a test may give another source.
 */
public interface GatewayCostLog {

    /** One row: a consumption of a credit-platform token; {@code tokenId} is the key's {@code remoteKeyId}. */
    record CostRow(String requestId, long tokenId, BigDecimal costUsd, long createdAt) {
    }

    /** One page and the number of rows of the whole window. */
    record CostPage(List<CostRow> items, long total) {
    }

    /** False when there is no gateway to ask (no URL or token configured). */
    boolean configured();

    /**
     * Page {@code page} (from 1) of the rows in {@code [start, end]} (unix seconds, both inclusive), oldest first,
     * at most {@code pageSize} (the gateway accepts 1..100).
     *
     * @throws GatewayException when the gateway is unreachable, refuses, or answers something else
     */
    CostPage costs(long start, long end, int page, int pageSize) throws GatewayException;
}
