package dev.creditgate.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Body of {@code POST /api/credits/holds/:holdId/extend}: a pending, unexpired hold then expires
 * {@code ttlSeconds} from now (never earlier than it already did). Answered with {@link HoldOutcomeAnswer}.
 *
 * @param ttlSeconds seconds from now (1 .. the platform's max TTL, 86,400 by default; required)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ExtendRequest(Long ttlSeconds) {
}
