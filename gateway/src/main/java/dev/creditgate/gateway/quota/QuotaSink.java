package dev.creditgate.gateway.quota;

import dev.creditgate.gateway.admission.Settled;
import dev.creditgate.gateway.admission.Settlement;
import dev.creditgate.gateway.pricing.QuotaUnits;
import dev.creditgate.gateway.pricing.RequestPricing;

/**
 * A native reservation as a {@link Settlement.Sink}: the charge replaces the reservation by delta on the token and
 * its user ({@link QuotaStore#settle}); a release gives all of it back. Native tokens are charged new-api's integer
 * quota, so the USD of the log row is that quota's.
 */
final class QuotaSink implements Settlement.Sink {

    private final QuotaStore store;
    private final Reservation reservation;

    QuotaSink(QuotaStore store, Reservation reservation) {
        this.store = store;
        this.reservation = reservation;
    }

    @Override
    public Settled commit(RequestPricing.Charge charge) {
        store.settle(reservation, charge.quota());
        return Settled.of(charge, QuotaUnits.quotaToUsd(charge.quota()));
    }

    @Override
    public void release() {
        store.refund(reservation);
    }

    @Override
    public Settled reserved() {
        return new Settled(reservation.quota(), QuotaUnits.quotaToUsd(reservation.quota()), null, null, null);
    }

    @Override
    public String describe() {
        return "token " + reservation.tokenId() + " (reserved " + reservation.quota() + " quota)";
    }
}
