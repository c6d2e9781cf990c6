package dev.creditgate.gateway.admission;

import tools.jackson.databind.node.ObjectNode;

/**
 * What admission knows about a request.
 *
 * @param requestId the gateway's request id (also the {@code X-Request-Id} answer header, the log row's
 *                  {@code request_id}); stable, so usable as an idempotency key for holds
 * @param token     the authenticated caller
 * @param model     the model the client asked for (billing uses this name, not the upstream-mapped one)
 * @param endpoint  which API was called
 * @param stream    whether the client asked for a stream
 * @param body      the parsed request JSON (messages, input, max_tokens, ...); read-only by contract
 */
public record AdmissionRequest(
        String requestId,
        TokenInfo token,
        String model,
        EndpointKind endpoint,
        boolean stream,
        ObjectNode body) {

    /**
     * The authenticated token.
     *
     * @param userId       0 when the token has no gateway user (credit platform tokens)
     * @param group        the group that applies (token's, else its user's, else {@code default}); a group without
     *                     a configured ratio has ratio 1
     * @param source       {@code native} | {@code letaicode} | {@code external}
     * @param remoteKeyId  the credit platform's key id, or null
     * @param remainQuota  as cached at authentication (may be up to {@code gateway.token-cache-ttl} old: enforce
     *                     with an atomic conditional UPDATE, not with this number)
     */
    public record TokenInfo(
            long tokenId,
            String tokenName,
            long userId,
            String group,
            String source,
            String remoteKeyId,
            boolean unlimitedQuota,
            long remainQuota) {}
}
