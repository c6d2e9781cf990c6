package dev.creditgate.gateway.quota;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.creditgate.gateway.admission.AdmissionRefusedException;
import dev.creditgate.gateway.admission.AdmissionRequest;
import dev.creditgate.gateway.admission.Admitted;
import dev.creditgate.gateway.admission.OutputCap;
import dev.creditgate.gateway.admission.Settlement;
import dev.creditgate.gateway.pricing.RequestPricing;
import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.admission.UsageReport;
import dev.creditgate.gateway.pricing.Pricer;
import dev.creditgate.gateway.pricing.PricingConfig;
import dev.creditgate.gateway.pricing.TokenCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** The admission state machine (admitted -> settled | refunded) and the charging rules, on H2. */
class NativeAdmittedTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String MODEL = "m";
    private static final long USER_QUOTA = 100_000;
    private static final long TOKEN_QUOTA = 50_000;
    /** (max(prompt, 500) + max_tokens 100) x ratio 1. */
    private static final long ESTIMATE = 600;

    private static TestDatabase db;
    private static QuotaRows rows;
    private static QuotaStore store;
    private static RequestPricing pricing;
    private SimpleMeterRegistry metrics;
    private NativeQuotaAdmission admission;

    @BeforeAll
    static void start() {
        db = TestDatabase.create(TestDatabase.Vendor.H2);
        db.migrated();
        JdbcClient jdbc = JdbcClient.create(db.dataSource());
        rows = new QuotaRows(jdbc);
        store = new QuotaStore(jdbc, new DataSourceTransactionManager(db.dataSource()));
        Pricer pricer = new Pricer(PricingConfig.parse("{\"m\":1}", "{\"m\":4}", "{\"default\":1}", "{\"fixed\":0.01}"), false);
        pricing = new RequestPricing(() -> pricer, TokenCounter.shared());
    }

    @AfterAll
    static void stop() {
        db.close();
    }

    @BeforeEach
    void reset() {
        rows.clear();
        rows.user(1, USER_QUOTA);
        rows.token(10, 1, TOKEN_QUOTA, false);
        metrics = new SimpleMeterRegistry();
        admission = new NativeQuotaAdmission(pricing, store, () -> OutputCap.OFF, () -> 256, metrics);
    }

    @Test
    void admitReservesTheEstimate() {
        Admitted a = admission.admit(request(MODEL));

        assertThat(a.estimatedQuota()).isEqualTo(ESTIMATE);
        assertThat(rows.userQuota(1)).isEqualTo(USER_QUOTA - ESTIMATE);
        assertThat(rows.tokenRemain(10)).isEqualTo(TOKEN_QUOTA - ESTIMATE);
    }

    @Test
    void settleIsIdempotent() {
        Admitted a = admission.admit(request(MODEL));

        assertThat(a.settle(usage(10, 5)).quota()).isEqualTo(10 + 5 * 4);
        assertThat(a.settle(usage(1_000, 1_000)).quota()).isEqualTo(10 + 5 * 4);
        a.close();
        a.close();

        assertThat(rows.userQuota(1)).isEqualTo(USER_QUOTA - 30);
        assertThat(rows.tokenRemain(10)).isEqualTo(TOKEN_QUOTA - 30);
        assertThat(((Settlement) a).state()).isEqualTo(Settlement.State.SETTLED);
    }

    @Test
    void closeWithoutSettleRefundsOnceAndLaterSettleChargesNothing() {
        Admitted a = admission.admit(request(MODEL));

        a.close();
        a.close();
        assertThat(a.settle(usage(10, 5)).quota()).isZero();

        assertThat(rows.userQuota(1)).isEqualTo(USER_QUOTA);
        assertThat(rows.tokenRemain(10)).isEqualTo(TOKEN_QUOTA);
        assertThat(((Settlement) a).state()).isEqualTo(Settlement.State.RELEASED);
    }

    @Test
    void nothingDeliveredChargesNothing() {
        Admitted a = admission.admit(request(MODEL));

        var settled = a.settle(new UsageReport(10, 5, 15, "", false, true));
        assertThat(settled.quota()).isZero();

        assertThat(rows.userQuota(1)).isEqualTo(USER_QUOTA);
        assertThat(settled.tokens()).isNull();
    }

    @Test
    void missingUsageIsEstimatedFromTheDeliveredText() {
        AdmissionRequest request = request(MODEL);
        int prompt = TokenCounter.shared().countChatCompletion(MODEL, request.body());
        int completion = TokenCounter.shared().countText(MODEL, "Hello there, quota.");
        Admitted a = admission.admit(request);

        var settled = a.settle(new UsageReport(null, null, null, "Hello there, quota.", true, false));
        long charged = settled.quota();

        assertThat(charged).isEqualTo(prompt + completion * 4L);
        assertThat(settled.tokens().promptTokens()).isEqualTo(prompt);
        assertThat(settled.tokens().completionTokens()).isEqualTo(completion);
        assertThat(rows.userQuota(1)).isEqualTo(USER_QUOTA - charged);
    }

    @Test
    void clientDisconnectChargesTheDeliveredTextNotTheUpstreamCompletion() {
        Admitted a = admission.admit(request(MODEL));
        int delivered = TokenCounter.shared().countText(MODEL, "Hello");

        long charged = a.settle(new UsageReport(100, 400, 500, "Hello", true, true)).quota();

        assertThat(charged).isEqualTo(100 + delivered * 4L);
        assertThat(charged).isPositive().isLessThan(ESTIMATE);
    }

    @Test
    void overageIsChargedAndCounted() {
        Admitted a = admission.admit(request(MODEL));

        long charged = a.settle(usage(700, 100)).quota(); // 700 + 400 = 1100 > 600 reserved

        assertThat(charged).isEqualTo(1_100);
        assertThat(rows.userQuota(1)).isEqualTo(USER_QUOTA - 1_100);
        assertThat(metrics.get("gateway.quota.overage").counter().count()).isEqualTo(500.0);
    }

    @Test
    void fixedPriceIsChargedWhateverTheUsage() {
        Admitted a = admission.admit(request("fixed"));

        assertThat(a.estimatedQuota()).isEqualTo(5_000);
        assertThat(a.settle(usage(1, 100_000)).quota()).isEqualTo(5_000);
        assertThat(rows.userQuota(1)).isEqualTo(USER_QUOTA - 5_000);
    }

    @Test
    void failedSettlementLeavesTheReservationChargedAndSaysSo() {
        QuotaStore failing = new QuotaStore(JdbcClient.create(db.dataSource()),
                new DataSourceTransactionManager(db.dataSource())) {
            @Override
            void settle(Reservation reservation, long actual) {
                throw new IllegalStateException("database gone");
            }
        };
        NativeQuotaAdmission withFailingStore = new NativeQuotaAdmission(pricing, failing, () -> OutputCap.OFF, () -> 256, metrics);
        Admitted a = withFailingStore.admit(request(MODEL));

        assertThat(a.settle(usage(10, 5)).quota()).isEqualTo(ESTIMATE);
        a.close();

        assertThat(rows.userQuota(1)).isEqualTo(USER_QUOTA - ESTIMATE);
        assertThat(metrics.get("gateway.quota.settlement.failures").counter().count()).isEqualTo(1.0);
    }

    @Test
    void refusalsNameRemainingAndNeed() {
        rows.setUserQuota(1, 599);
        assertThatThrownBy(() -> admission.admit(request(MODEL)))
                .isInstanceOfSatisfying(AdmissionRefusedException.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.code()).isEqualTo("insufficient_user_quota");
                    assertThat(e.getMessage()).startsWith("user quota insufficient, remaining: 599, need: 600");
                });
        assertThat(rows.tokenRemain(10)).isEqualTo(TOKEN_QUOTA);

        rows.clear();
        rows.user(1, USER_QUOTA);
        rows.token(10, 1, 10, false);
        assertThatThrownBy(() -> admission.admit(request(MODEL)))
                .isInstanceOfSatisfying(AdmissionRefusedException.class, e -> {
                    assertThat(e.status()).isEqualTo(403);
                    assertThat(e.code()).isEqualTo("pre_consume_token_quota_failed");
                    assertThat(e.getMessage()).startsWith("token quota insufficient, remaining: 10, need: 600");
                });
        assertThat(rows.userQuota(1)).isEqualTo(USER_QUOTA);
    }

    @Test
    void unpricedModelIsRefusedWith400() {
        assertThatThrownBy(() -> admission.admit(request("nobody-priced-me")))
                .isInstanceOfSatisfying(AdmissionRefusedException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.code()).isEqualTo("model_price_error");
                    assertThat(e.getMessage()).contains("nobody-priced-me");
                });
        assertThat(rows.userQuota(1)).isEqualTo(USER_QUOTA);
    }

    @Test
    void concurrentSettleAndCloseMakeExactlyOneTransition() throws Exception {
        for (int round = 0; round < 50; round++) {
            Admitted a = admission.admit(request(MODEL));
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Long>> settles = new ArrayList<>();
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                for (int i = 0; i < 8; i++) {
                    boolean settle = i % 2 == 0;
                    Future<Long> f = pool.submit(() -> {
                        go.await();
                        if (settle) {
                            return a.settle(usage(10, 5)).quota();
                        }
                        a.close();
                        return -1L;
                    });
                    if (settle) {
                        settles.add(f);
                    }
                }
                go.countDown();
                List<Long> results = new ArrayList<>();
                for (Future<Long> f : settles) {
                    results.add(f.get());
                }
                Settlement.State state = ((Settlement) a).state();
                if (state == Settlement.State.SETTLED) {
                    assertThat(results).as("round %d", round).contains(30L).allMatch(r -> r == 30L || r == 0L);
                    assertThat(rows.userQuota(1)).as("round %d", round).isEqualTo(USER_QUOTA - 30);
                } else {
                    assertThat(results).as("round %d", round).containsOnly(0L);
                    assertThat(rows.userQuota(1)).as("round %d", round).isEqualTo(USER_QUOTA);
                }
            }
            reset();
        }
    }

    private static UsageReport usage(int prompt, int completion) {
        return new UsageReport(prompt, completion, prompt + completion, "", true, false);
    }

    private static AdmissionRequest request(String model) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        body.put("max_tokens", 100);
        body.putArray("messages").addObject().put("role", "user").put("content", "hello");
        var token = new AdmissionRequest.TokenInfo(10, "t", 1, "default", "native", null, false, TOKEN_QUOTA);
        return new AdmissionRequest("req-1", token, model, EndpointKind.CHAT_COMPLETIONS, false, body);
    }
}
