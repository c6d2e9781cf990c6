package dev.creditgate.gateway.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import dev.creditgate.gateway.admission.Admission;
import dev.creditgate.gateway.admission.AdmissionRefusedException;
import dev.creditgate.gateway.admission.AdmissionRequest;
import dev.creditgate.gateway.admission.Admitted;
import dev.creditgate.gateway.admission.Settled;
import dev.creditgate.gateway.admission.UsageReport;
import dev.creditgate.gateway.pricing.QuotaUnits;
import dev.creditgate.gateway.web.ErrorCode;

/**
 * An {@link Admission} for seam tests: records every request, settlement and close; refuses the model
 * {@value #REFUSED_MODEL}; reserves {@code estimate} and charges {@code charge} quota per settlement; asks for
 * {@link #outputLimit} upstream (null: the client's).
 */
public final class RecordingAdmission implements Admission {

    public static final String REFUSED_MODEL = "refused-model";

    public final List<AdmissionRequest> requests = new CopyOnWriteArrayList<>();
    public final List<UsageReport> settled = new CopyOnWriteArrayList<>();
    public final AtomicInteger closed = new AtomicInteger();
    public volatile Integer outputLimit;
    private final long estimate;
    private final long charge;

    public RecordingAdmission(long estimate, long charge) {
        this.estimate = estimate;
        this.charge = charge;
    }

    @Override
    public Admitted admit(AdmissionRequest request) {
        requests.add(request);
        if (request.model().equals(REFUSED_MODEL)) {
            throw new AdmissionRefusedException(ErrorCode.INSUFFICIENT_QUOTA,
                    "insufficient quota: remaining 0, needed 1000 (quota units)");
        }
        Integer limit = outputLimit;
        return new Admitted() {
            @Override
            public long estimatedQuota() {
                return estimate;
            }

            @Override
            public Settled settle(UsageReport usage) {
                settled.add(usage);
                return new Settled(charge, QuotaUnits.quotaToUsd(charge), null, null, null);
            }

            @Override
            public Integer outputLimit() {
                return limit;
            }

            @Override
            public void close() {
                closed.incrementAndGet();
            }
        };
    }
}
