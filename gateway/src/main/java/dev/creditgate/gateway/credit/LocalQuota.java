package dev.creditgate.gateway.credit;

import java.util.OptionalLong;

/**
 * The owner's local quota of a key (gateway quota units), for the {@code local} fallback when no balance of the key
 * is cached. Supplied by the token/quota feature.
 */
@FunctionalInterface
public interface LocalQuota {

    /** No local quota known for any key. */
    LocalQuota NONE = keyId -> OptionalLong.empty();

    /**
     * @param remoteKeyId the platform key id of the token
     * @return the remaining quota of the token's owner; empty when there is none to fall back on (then the fallback
     *         refuses with 503). Return {@link Long#MAX_VALUE} for an unlimited owner.
     */
    OptionalLong remainingQuota(String remoteKeyId);
}
