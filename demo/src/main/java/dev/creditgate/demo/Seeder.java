package dev.creditgate.demo;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.creditgate.gateway.pricing.PricingConfig;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Seeds the demo through the public APIs, as an operator would, one step at a time; each step's result is saved
 * in {@link DemoState} at once, so a restart (or a first start that died half-way) skips what exists.
 */
final class Seeder {

    static final String FIXED_MODEL = "demo-fixed";
    static final String FIXED_PRICE_USD = "0.01";
    static final String RATIO_MODEL = "gpt-4o-mini";
    /** Served by a {@code gemini} channel on the mock (the Gemini route); priced by new-api's default ratio. */
    static final String GEMINI_MODEL = "gemini-2.5-flash";
    static final String WELCOME_CREDITS = "10";
    static final long NATIVE_QUOTA = 500_000; // 1 USD
    static final String DEMO_EMAIL = "demo@creditgate.dev";

    private final SystemLauncher system;
    private final DemoState state;

    Seeder(SystemLauncher system, DemoState state) {
        this.system = system;
        this.state = state;
    }

    /** Creates what is missing; updates what depends on this run (the channel's upstream URL). */
    void seed() {
        SystemLauncher.Config c = system.config();
        try (Api gateway = Api.bearer(system.gatewayUrl(), c.gatewayAdminToken());
             Api credits = Api.bearer(system.creditsUrl(), c.creditsAdminToken())) {
            channel(gateway);
            geminiChannel(gateway);
            modelPrice(gateway);
            demoUser(credits);
            demoKey(credits);
            nativeUserAndKey(gateway);
        }
    }

    private void channel(Api gateway) {
        if (!state.has("channelId")) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", "mock upstream");
            body.put("type", "openai");
            body.put("base_url", system.upstreamUrl());
            body.put("key", "sk-mock-upstream");
            body.put("models", FIXED_MODEL + "," + RATIO_MODEL);
            JsonNode ch = gateway.post("/api/channel/", body);
            state.put("channelId", ch.path("id").asString());
        } else { // the upstream's port may differ from the last run
            gateway.put("/api/channel/", Map.of("id", Long.parseLong(state.get("channelId")),
                    "base_url", system.upstreamUrl()));
        }
    }

    private void geminiChannel(Api gateway) {
        if (!state.has("geminiChannelId")) {
            JsonNode ch = gateway.post("/api/channel/", Map.of("name", "mock upstream (gemini)", "type", "gemini",
                    "base_url", system.upstreamUrl(), "key", "mock-gemini-key", "models", GEMINI_MODEL));
            state.put("geminiChannelId", ch.path("id").asString());
        } else {
            gateway.put("/api/channel/", Map.of("id", Long.parseLong(state.get("geminiChannelId")),
                    "base_url", system.upstreamUrl()));
        }
    }

    /** {@code ModelPrice} = what is in force (stored, else new-api's defaults) plus {@value #FIXED_MODEL}. */
    private void modelPrice(Api gateway) {
        if (state.has("modelPriceSet")) {
            return;
        }
        String current = PricingConfig.defaultModelPriceJson();
        for (JsonNode option : gateway.get("/api/option/")) {
            if (PricingConfig.MODEL_PRICE.equals(option.path("key").asString())) {
                current = option.path("value").asString();
            }
        }
        ObjectNode prices = (ObjectNode) Json.parse(current);
        prices.put(FIXED_MODEL, new java.math.BigDecimal(FIXED_PRICE_USD));
        gateway.put("/api/option/", Map.of("key", PricingConfig.MODEL_PRICE, "value", Json.write(prices)));
        state.put("modelPriceSet", "true");
    }

    private void demoUser(Api credits) {
        if (!state.has("demoUserId")) {
            JsonNode user = credits.post("/api/users", Map.of("email", DEMO_EMAIL, "name", "Demo user"));
            state.put("demoUserId", user.path("id").asString());
        }
        if (!state.has("welcomeCredits")) { // ref makes a repeat after a crash charge nothing twice
            credits.post("/api/users/" + state.get("demoUserId") + "/credits", Map.of(
                    "amount", new java.math.BigDecimal(WELCOME_CREDITS), "type", "BONUS",
                    "desc", "demo welcome credits", "ref", "demo-welcome-" + state.get("demoUserId")));
            state.put("welcomeCredits", WELCOME_CREDITS);
        }
    }

    private void demoKey(Api credits) {
        if (state.has("demoKeyId")) {
            return;
        }
        JsonNode key = credits.post("/api/keys", Map.of("userId", state.get("demoUserId"), "label", "demo key"));
        state.put("demoKeyId", key.path("id").asString());
        state.put("demoGatewayTokenId", key.path("remoteKeyId").asString());
        state.put("demoKey", key.path("key").asString());
    }

    private void nativeUserAndKey(Api gateway) {
        if (!state.has("nativeUserId")) {
            JsonNode user = gateway.post("/api/user/", Map.of("username", "demo-native", "quota", NATIVE_QUOTA,
                    "group", "default"));
            state.put("nativeUserId", user.path("id").asString());
        }
        if (!state.has("nativeKey")) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", "demo native key");
            body.put("user_id", Long.parseLong(state.get("nativeUserId")));
            body.put("remain_quota", NATIVE_QUOTA);
            body.put("unlimited_quota", false);
            body.put("expired_time", -1);
            JsonNode token = gateway.post("/api/token/", body);
            state.put("nativeTokenId", token.path("id").asString());
            state.put("nativeKey", token.path("key").asString());
        }
    }
}
