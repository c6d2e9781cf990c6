/**
 * The admission seam: steps 3 (estimate), 4 (admit) and 6 (settle) of the relay chain
 * {@code authenticate -> choose channel -> estimate -> admit -> relay -> settle -> record}.
 *
 * <p>How the relay uses it (see {@code dev.creditgate.gateway.relay.RelayPipeline}):
 * <pre>{@code
 * try (Admitted admitted = admission.admit(request)) {   // may throw AdmissionRefusedException: nothing relayed
 *     Outcome o = relay(...);                             // failover across channels happens in here
 *     if (o.upstreamAnswered()) {                        // the upstream answered 2xx (stream started or body read)
 *         long quota = admitted.settle(o.usage());       // charged quota, in gateway quota units
 *     }
 * }                                                      // close(): if not settled, refund/release the reservation
 * }</pre>
 *
 * <ul>
 *   <li>{@link dev.creditgate.gateway.admission.Admission#admit} estimates the cost (the parsed request JSON is
 *       in the request for token counting) and reserves it; it refuses by throwing
 *       {@link dev.creditgate.gateway.admission.AdmissionRefusedException} (rendered in the route's wire shape,
 *       a log row of type 5 is written, the upstream is not called).</li>
 *   <li>{@code settle} is called at most once, only when an upstream answered with success; its
 *       {@link dev.creditgate.gateway.admission.UsageReport} has the upstream's usage (or nulls, then estimate from
 *       the delivered text), whether anything reached the client and whether the client went away.</li>
 *   <li>{@code close} is always called (in a {@code finally}); an unsettled admission must release what it
 *       reserved there. {@code close} after {@code settle} does nothing. Neither may throw.</li>
 *   <li>Implementations change only {@code tokens.remain_quota} / {@code users.quota} (or remote credit);
 *       {@code used_quota} and {@code request_count} of tokens, users and channels are added by the log writer
 *       from the log rows, with the quota {@code settle} returned.</li>
 * </ul>
 *
 * <p>The default bean is {@link dev.creditgate.gateway.admission.FreeAdmission} (charges 0), declared
 * {@code @Fallback}: any other {@code Admission} bean replaces it without further wiring.
 */
package dev.creditgate.gateway.admission;
