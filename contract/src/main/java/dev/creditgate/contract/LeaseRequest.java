package dev.creditgate.contract;

import java.math.BigDecimal;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Body of {@code POST /api/credits/leases} (open) and {@code POST /api/credits/leases/:leaseId/refresh}.
 *
 * <p>A lease is one hold of a user's credit for one gateway instance ({@code owner}), spent by that instance locally
 * and settled in batches ({@link LeaseSettleRequest}). There is at most one ACTIVE lease per (user, owner): opening
 * again with any of the user's keys answers the same lease, resized as a refresh would resize it (with
 * {@code inUseUsd} 0 when absent).
 *
 * <p>Sizing, in one transaction at the platform ({@code free} = the user's available credit, the lease itself not
 * counted as free; amounts in credits at the platform's rate):
 * <ul>
 *   <li>the lease never goes below {@code min(inUseUsd, amount)}: credit the instance has already promised to
 *       requests in flight or finished and not yet settled;</li>
 *   <li>growing towards {@code amountUsd} takes at most half of {@code free} per call, so one instance never takes
 *       the whole of a balance another instance may need;</li>
 *   <li>a lease whose size would be below {@code minUsd} is not opened (402 {@code insufficient_credit}), and an open
 *       one shrinks to what is in use (it is draining: the gateway falls back to per-request holds);</li>
 *   <li>while the user's credit is being recalled (an admin lowering the balance below the available credit) or the
 *       user's available credit is negative (debt), a refresh shrinks to what is in use and never grows;</li>
 *   <li>shrinking returns credit at once; a lease not refreshed within {@code ttlSeconds} expires and stops
 *       counting as held.</li>
 * </ul>
 *
 * @param keyId      open: the key the first request came with (its user is the lease's user); refresh: unused
 * @param owner      the gateway instance (1..64 chars of {@code [A-Za-z0-9._:-]}); open only
 * @param amountUsd  the unspent size wanted, USD (0 .. 1,000,000)
 * @param minUsd     the smallest size worth holding, USD (0 .. amountUsd; default 0)
 * @param inUseUsd   refresh: USD the instance has admitted and not yet settled (0 .. 1,000,000; default 0)
 * @param ttlSeconds seconds until the lease expires unless refreshed (1 .. 3,600; default 30)
 * @param keyIds     refresh: the keys that used the lease since the last refresh (up to 1,000); the answer names
 *                   those no longer ACTIVE
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record LeaseRequest(String keyId, String owner, BigDecimal amountUsd, BigDecimal minUsd, BigDecimal inUseUsd,
                           Long ttlSeconds, List<String> keyIds) {
}
