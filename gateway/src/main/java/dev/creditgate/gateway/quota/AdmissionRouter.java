package dev.creditgate.gateway.quota;

import dev.creditgate.gateway.admission.Admission;
import dev.creditgate.gateway.admission.AdmissionRefusedException;
import dev.creditgate.gateway.admission.AdmissionRequest;
import dev.creditgate.gateway.admission.Admitted;
import dev.creditgate.gateway.web.ErrorCode;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.context.annotation.Primary;
import org.springframework.stereotype.Component;

/**
 * The {@link Admission} the relay uses: {@code source = native} tokens go to {@link NativeQuotaAdmission};
 * every other source goes to the bean named {@value #CREDIT_ADMISSION} when one is defined, and is refused
 * with 503 {@code credit_service_unavailable} otherwise. Never falls through to free admission.
 */
@Primary
@Component
class AdmissionRouter implements Admission {

    /** The bean name of the credit platform's admission (for {@code letaicode} tokens). */
    static final String CREDIT_ADMISSION = "creditAdmission";
    static final String NATIVE = "native";

    private final NativeQuotaAdmission nativeAdmission;
    private final BeanFactory beans;
    private volatile Admission credit;

    AdmissionRouter(NativeQuotaAdmission nativeAdmission, BeanFactory beans) {
        this.nativeAdmission = nativeAdmission;
        this.beans = beans;
    }

    @Override
    public Admitted admit(AdmissionRequest request) {
        String source = request.token().source();
        if (NATIVE.equals(source)) {
            return nativeAdmission.admit(request);
        }
        Admission admission = creditAdmission();
        if (admission == null) {
            throw new AdmissionRefusedException(ErrorCode.CREDIT_SERVICE_UNAVAILABLE,
                    "credit platform client not configured (token source: " + source + ")");
        }
        return admission.admit(request);
    }

    /** Looked up on first use, so that its wiring never depends on this bean's. */
    private Admission creditAdmission() {
        Admission a = credit;
        if (a == null && beans.containsBean(CREDIT_ADMISSION)) {
            a = beans.getBean(CREDIT_ADMISSION, Admission.class);
            credit = a;
        }
        return a;
    }
}
