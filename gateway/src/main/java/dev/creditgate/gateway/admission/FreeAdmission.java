package dev.creditgate.gateway.admission;

import org.springframework.context.annotation.Fallback;
import org.springframework.stereotype.Component;

/**
 * Admits everything and charges nothing. The default until a real {@link Admission} bean exists: being a
 * {@code @Fallback} bean, it steps aside as soon as another {@code Admission} bean is defined.
 */
@Component
@Fallback
public class FreeAdmission implements Admission {

    private static final Admitted FREE = new Admitted() {
        @Override
        public long estimatedQuota() {
            return 0;
        }

        @Override
        public Settled settle(UsageReport usage) {
            return Settled.NOTHING;
        }

        @Override
        public void close() {
        }
    };

    @Override
    public Admitted admit(AdmissionRequest request) {
        return FREE;
    }
}
