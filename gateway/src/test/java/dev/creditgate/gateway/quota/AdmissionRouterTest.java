package dev.creditgate.gateway.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.creditgate.gateway.admission.Admission;
import dev.creditgate.gateway.admission.AdmissionRefusedException;
import dev.creditgate.gateway.admission.AdmissionRequest;
import dev.creditgate.gateway.admission.Admitted;
import dev.creditgate.gateway.admission.Settled;
import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.admission.UsageReport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import tools.jackson.databind.json.JsonMapper;

class AdmissionRouterTest {

    private static final Admitted NATIVE = admitted(1);
    private static final Admitted CREDIT = admitted(2);

    private final NativeQuotaAdmission nativeAdmission = new NativeQuotaAdmission(null, null, () -> null, () -> 1, new SimpleMeterRegistry()) {
        @Override
        public Admitted admit(AdmissionRequest request) {
            return NATIVE;
        }
    };

    @Test
    void nativeTokensGoToNativeQuota() {
        AdmissionRouter router = new AdmissionRouter(nativeAdmission, new StaticListableBeanFactory());

        assertThat(router.admit(request("native"))).isSameAs(NATIVE);
    }

    @Test
    void otherSourcesGoToTheCreditAdmission() {
        StaticListableBeanFactory beans = new StaticListableBeanFactory();
        beans.addBean(AdmissionRouter.CREDIT_ADMISSION, (Admission) r -> CREDIT);
        AdmissionRouter router = new AdmissionRouter(nativeAdmission, beans);

        assertThat(router.admit(request("letaicode"))).isSameAs(CREDIT);
        assertThat(router.admit(request("external"))).isSameAs(CREDIT);
        assertThat(router.admit(request("native"))).isSameAs(NATIVE);
    }

    @Test
    void withoutACreditAdmissionOtherSourcesAreRefusedNeverFree() {
        AdmissionRouter router = new AdmissionRouter(nativeAdmission, new StaticListableBeanFactory());

        assertThatThrownBy(() -> router.admit(request("letaicode")))
                .isInstanceOfSatisfying(AdmissionRefusedException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.code()).isEqualTo("credit_service_unavailable");
                    assertThat(e.getMessage()).contains("credit platform client not configured").contains("letaicode");
                });
    }

    private static AdmissionRequest request(String source) {
        var token = new AdmissionRequest.TokenInfo(5, "t", 0, "default", source, "rk", true, -1);
        return new AdmissionRequest("r", token, "m", EndpointKind.CHAT_COMPLETIONS, false,
                JsonMapper.builder().build().createObjectNode());
    }

    private static Admitted admitted(long quota) {
        return new Admitted() {
            @Override
            public long estimatedQuota() {
                return quota;
            }

            @Override
            public Settled settle(UsageReport usage) {
                return new Settled(quota, java.math.BigDecimal.ZERO, null, null, null);
            }

            @Override
            public void close() {
            }
        };
    }
}
