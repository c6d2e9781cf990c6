package dev.creditgate.gateway.token;

import java.util.Set;

/**
 * What the relay knows about the caller after authentication: the token, the group that applies (the token's,
 * else its user's, else {@code default}), and the parsed model limits and IP allow list.
 *
 * @param modelLimits empty when the token has no model limits
 */
public record AuthenticatedToken(Token token, String group, Set<String> modelLimits, IpAllowList allowIps) {

    public boolean allowsModel(String model) {
        return modelLimits.isEmpty() || modelLimits.contains(model);
    }
}
