package dev.creditgate.gateway.pricing;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The pricing options of new-api, parsed and immutable: {@code ModelRatio} (model -> ratio),
 * {@code CompletionRatio} (model -> ratio), {@code GroupRatio} (group -> ratio), {@code ModelPrice}
 * (model -> USD per call), {@code CacheRatio} (model -> price of a cache read relative to the input price),
 * {@code CreateCacheRatio} (model -> price of a cache write), and {@code DefaultMaxOutputTokens} (model -> the
 * output limit assumed for a request that names none; {@code "*"} for every other model). Values are exact
 * decimals ({@link BigDecimal}); lookups follow new-api's rules (model-name normalisation, hard-coded completion
 * ratios, unknown group = 1, unknown cache ratio 1, unknown cache-write ratio 1.25). See {@code gateway/PRICING.md}.
 */
public final class PricingConfig {

    public static final String MODEL_RATIO = "ModelRatio";
    public static final String COMPLETION_RATIO = "CompletionRatio";
    public static final String GROUP_RATIO = "GroupRatio";
    public static final String MODEL_PRICE = "ModelPrice";
    public static final String CACHE_RATIO = "CacheRatio";
    public static final String CREATE_CACHE_RATIO = "CreateCacheRatio";
    public static final String DEFAULT_MAX_OUTPUT_TOKENS = "DefaultMaxOutputTokens";
    /** Boolean option read by whoever builds the {@link Pricer} (new-api's self-use mode). */
    public static final String ALLOW_UNPRICED_MODELS = "AllowUnpricedModels";

    /** The option keys this class parses, in a fixed order. */
    public static final java.util.List<String> KEY_ORDER = java.util.List.of(MODEL_RATIO, COMPLETION_RATIO,
            GROUP_RATIO, MODEL_PRICE, CACHE_RATIO, CREATE_CACHE_RATIO, DEFAULT_MAX_OUTPUT_TOKENS);

    /** The option keys this class parses. */
    public static final Set<String> KEYS = Set.copyOf(KEY_ORDER);

    /** new-api's cache-read ratio of a model it has none for: cache reads cost the full input price. */
    public static final BigDecimal UNKNOWN_CACHE_RATIO = BigDecimal.ONE;

    /** new-api's cache-write ratio of a model it has none for ({@code GetCreateCacheRatio}'s fallback). */
    public static final BigDecimal UNKNOWN_CREATE_CACHE_RATIO = new BigDecimal("1.25");

    /**
     * The price of a 1-hour cache write relative to a 5-minute one: new-api's {@code claudeCacheCreation1hMultiplier}
     * ({@code 6 / 3.75}), so that the default 1.25 becomes 2 x the input price, as Anthropic charges.
     */
    public static final BigDecimal CACHE_WRITE_1H_MULTIPLIER = new BigDecimal("1.6");

    /** The {@code DefaultMaxOutputTokens} entry that applies to every model without its own. */
    public static final String ANY_MODEL = "*";

    /** The output limit assumed when neither the request nor {@code DefaultMaxOutputTokens} names one. */
    public static final int FALLBACK_MAX_OUTPUT_TOKENS = 4096;

    /** Largest accepted ratio or price: anything above is a typo, and keeps quota arithmetic far from overflow. */
    public static final BigDecimal MAX_VALUE = BigDecimal.valueOf(1_000_000);

    /** Longest accepted option value, in characters. */
    public static final int MAX_JSON_LENGTH = 1_000_000;

    private static final int MAX_KEY_LENGTH = 256;
    private static final int MAX_SHOWN_KEY = 80;

    private static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private static final PricingConfig DEFAULTS = new PricingConfig(
            DefaultPrices.modelRatios(), DefaultPrices.completionRatios(),
            DefaultPrices.groupRatios(), DefaultPrices.modelPrices(), DefaultPrices.cacheRatios(),
            DefaultPrices.createCacheRatios(), DefaultPrices.defaultMaxOutputTokens());

    private final Map<String, BigDecimal> modelRatios;
    private final Map<String, BigDecimal> completionRatios;
    private final Map<String, BigDecimal> groupRatios;
    private final Map<String, BigDecimal> modelPrices;
    private final Map<String, BigDecimal> cacheRatios;
    private final Map<String, BigDecimal> createCacheRatios;
    private final Map<String, BigDecimal> defaultMaxOutputTokens;

    private PricingConfig(Map<String, BigDecimal> modelRatios, Map<String, BigDecimal> completionRatios,
                          Map<String, BigDecimal> groupRatios, Map<String, BigDecimal> modelPrices,
                          Map<String, BigDecimal> cacheRatios, Map<String, BigDecimal> createCacheRatios,
                          Map<String, BigDecimal> defaultMaxOutputTokens) {
        this.modelRatios = frozen(modelRatios);
        this.completionRatios = frozen(completionRatios);
        this.groupRatios = frozen(groupRatios);
        this.modelPrices = frozen(modelPrices);
        this.cacheRatios = frozen(cacheRatios);
        this.createCacheRatios = frozen(createCacheRatios);
        this.defaultMaxOutputTokens = frozen(defaultMaxOutputTokens);
    }

    // ---------------------------------------------------------------- parsing and validation

    /**
     * Parses the four ratio and price option values (JSON objects of name -> non-negative number); the cache
     * ratios and output limits keep their defaults.
     *
     * @throws PricingOptionException naming the key and the bad value
     */
    public static PricingConfig parse(String modelRatioJson, String completionRatioJson,
                                      String groupRatioJson, String modelPriceJson) {
        return new PricingConfig(
                parseMap(MODEL_RATIO, modelRatioJson),
                parseMap(COMPLETION_RATIO, completionRatioJson),
                parseMap(GROUP_RATIO, groupRatioJson),
                parseMap(MODEL_PRICE, modelPriceJson),
                DEFAULTS.cacheRatios, DEFAULTS.createCacheRatios, DEFAULTS.defaultMaxOutputTokens);
    }

    /**
     * Checks one option value before it is saved. Returns the error message (naming the key and the
     * bad value) or empty when the value is good. Keys other than the four pricing keys are reported.
     */
    public static Optional<String> validate(String key, String json) {
        if (key == null || !KEYS.contains(key)) {
            return Optional.of("not a pricing option: " + key + " (expected one of " + String.join(", ", KEY_ORDER)
                    + ")");
        }
        try {
            parseMap(key, json);
            return Optional.empty();
        } catch (PricingOptionException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** True for the four option keys this class parses. */
    public static boolean isPricingKey(String key) {
        return key != null && KEYS.contains(key);
    }

    /**
     * A copy with one option replaced by a new JSON value.
     *
     * @throws PricingOptionException if the key is not a pricing key or the value is bad
     */
    public PricingConfig with(String key, String json) {
        if (!isPricingKey(key)) {
            throw new PricingOptionException(String.valueOf(key), "not a pricing option");
        }
        Map<String, BigDecimal> parsed = parseMap(key, json);
        return new PricingConfig(
                key.equals(MODEL_RATIO) ? parsed : modelRatios,
                key.equals(COMPLETION_RATIO) ? parsed : completionRatios,
                key.equals(GROUP_RATIO) ? parsed : groupRatios,
                key.equals(MODEL_PRICE) ? parsed : modelPrices,
                key.equals(CACHE_RATIO) ? parsed : cacheRatios,
                key.equals(CREATE_CACHE_RATIO) ? parsed : createCacheRatios,
                key.equals(DEFAULT_MAX_OUTPUT_TOKENS) ? parsed : defaultMaxOutputTokens);
    }

    static Map<String, BigDecimal> parseMap(String key, String json) {
        if (json == null || json.isBlank()) {
            throw new PricingOptionException(key, "empty value (expected a JSON object such as {\"name\": 1.5})");
        }
        if (json.length() > MAX_JSON_LENGTH) {
            throw new PricingOptionException(key, "value of " + json.length() + " characters (expected: <= "
                    + MAX_JSON_LENGTH + ")");
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw new PricingOptionException(key, "invalid JSON: " + e.getOriginalMessage()
                    + location(e));
        }
        if (root == null || !root.isObject()) {
            throw new PricingOptionException(key, "not a JSON object: " + (root == null ? "empty" : root.getNodeType())
                    + " (expected a JSON object such as {\"name\": 1.5})");
        }
        Map<String, BigDecimal> result = new TreeMap<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            String name = entry.getKey();
            JsonNode value = entry.getValue();
            if (name.isBlank()) {
                throw new PricingOptionException(key, "empty name \"" + name + "\" (expected a model or group name)");
            }
            if (name.length() > MAX_KEY_LENGTH) {
                throw new PricingOptionException(key, "name " + shown(name) + " of " + name.length()
                        + " characters (expected: <= " + MAX_KEY_LENGTH + ")");
            }
            if (!value.isNumber()) {
                throw new PricingOptionException(key, shown(name) + ": " + shownValue(value)
                        + " (expected: a number >= 0)");
            }
            BigDecimal number = value.decimalValue();
            if (number.signum() < 0) {
                throw new PricingOptionException(key, shown(name) + ": " + number.toPlainString()
                        + " (expected: a number >= 0)");
            }
            if (number.compareTo(MAX_VALUE) > 0) {
                throw new PricingOptionException(key, shown(name) + ": " + number.toPlainString()
                        + " (expected: a number <= " + MAX_VALUE.toPlainString() + ")");
            }
            if (key.equals(DEFAULT_MAX_OUTPUT_TOKENS)
                    && (number.signum() <= 0 || number.stripTrailingZeros().scale() > 0)) {
                throw new PricingOptionException(key, shown(name) + ": " + number.toPlainString()
                        + " (expected: an integer >= 1)");
            }
            result.put(name, number);
        }
        return result;
    }

    private static String location(JacksonException e) {
        if (e.getLocation() == null || e.getLocation().getLineNr() < 0) {
            return "";
        }
        return " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }

    private static String shown(String name) {
        String cut = name.length() > MAX_SHOWN_KEY ? name.substring(0, MAX_SHOWN_KEY) + "..." : name;
        return MAPPER.writeValueAsString(cut);
    }

    private static String shownValue(JsonNode value) {
        String text = value.toString();
        return text.length() > MAX_SHOWN_KEY ? text.substring(0, MAX_SHOWN_KEY) + "..." : text;
    }

    // ---------------------------------------------------------------- defaults and serialisation

    /** new-api's defaults for a representative set of current models; GroupRatio {@code default/vip/svip = 1}. */
    public static PricingConfig defaults() {
        return DEFAULTS;
    }

    public static String defaultModelRatioJson() {
        return DEFAULTS.modelRatioJson();
    }

    public static String defaultCompletionRatioJson() {
        return DEFAULTS.completionRatioJson();
    }

    public static String defaultGroupRatioJson() {
        return DEFAULTS.groupRatioJson();
    }

    public static String defaultModelPriceJson() {
        return DEFAULTS.modelPriceJson();
    }

    /** The default JSON value of one of the four keys. */
    public static String defaultJson(String key) {
        return DEFAULTS.json(key);
    }

    public String modelRatioJson() {
        return toJson(modelRatios);
    }

    public String completionRatioJson() {
        return toJson(completionRatios);
    }

    public String groupRatioJson() {
        return toJson(groupRatios);
    }

    public String modelPriceJson() {
        return toJson(modelPrices);
    }

    public String cacheRatioJson() {
        return toJson(cacheRatios);
    }

    public String createCacheRatioJson() {
        return toJson(createCacheRatios);
    }

    public String defaultMaxOutputTokensJson() {
        return toJson(defaultMaxOutputTokens);
    }

    /** The compact JSON text (sorted keys, plain decimals) of one of the four keys. */
    public String json(String key) {
        return switch (Objects.requireNonNull(key, "key")) {
            case MODEL_RATIO -> modelRatioJson();
            case COMPLETION_RATIO -> completionRatioJson();
            case GROUP_RATIO -> groupRatioJson();
            case MODEL_PRICE -> modelPriceJson();
            case CACHE_RATIO -> cacheRatioJson();
            case CREATE_CACHE_RATIO -> createCacheRatioJson();
            case DEFAULT_MAX_OUTPUT_TOKENS -> defaultMaxOutputTokensJson();
            default -> throw new IllegalArgumentException("not a pricing option: " + key);
        };
    }

    /** The option values by key, in a fixed order. */
    public Map<String, String> toOptionValues() {
        Map<String, String> values = new LinkedHashMap<>();
        for (String key : KEY_ORDER) {
            values.put(key, json(key));
        }
        return Collections.unmodifiableMap(values);
    }

    private static String toJson(Map<String, BigDecimal> map) {
        return MAPPER.writeValueAsString(map);
    }

    // ---------------------------------------------------------------- lookups (new-api semantics)

    public Map<String, BigDecimal> modelRatios() {
        return modelRatios;
    }

    public Map<String, BigDecimal> completionRatios() {
        return completionRatios;
    }

    public Map<String, BigDecimal> groupRatios() {
        return groupRatios;
    }

    public Map<String, BigDecimal> modelPrices() {
        return modelPrices;
    }

    public Map<String, BigDecimal> cacheRatios() {
        return cacheRatios;
    }

    public Map<String, BigDecimal> createCacheRatios() {
        return createCacheRatios;
    }

    /** The price of a cache read relative to the input price; {@link #UNKNOWN_CACHE_RATIO} for a model without one. */
    public BigDecimal cacheRatio(String model) {
        return cacheRatios.getOrDefault(normalizeModelName(model), UNKNOWN_CACHE_RATIO);
    }

    /** The price of a (5-minute) cache write relative to the input price; 1.25 for a model without one. */
    public BigDecimal createCacheRatio(String model) {
        return createCacheRatios.getOrDefault(normalizeModelName(model), UNKNOWN_CREATE_CACHE_RATIO);
    }

    /**
     * The output limit assumed for a request to {@code model} that names none: its {@code DefaultMaxOutputTokens}
     * entry, else the {@code "*"} entry, else {@value #FALLBACK_MAX_OUTPUT_TOKENS}.
     */
    public int defaultMaxOutputTokens(String model) {
        BigDecimal n = defaultMaxOutputTokens.get(normalizeModelName(model));
        if (n == null) {
            n = defaultMaxOutputTokens.get(ANY_MODEL);
        }
        return n == null ? FALLBACK_MAX_OUTPUT_TOKENS : n.intValueExact();
    }

    /** The configured model ratio after new-api's name normalisation; empty when the model has none. */
    public Optional<BigDecimal> modelRatio(String model) {
        return Optional.ofNullable(modelRatios.get(normalizeModelName(model)));
    }

    /** The fixed USD price per call after new-api's name normalisation; empty when the model has none. */
    public Optional<BigDecimal> modelPrice(String model) {
        return Optional.ofNullable(modelPrices.get(normalizeModelName(model)));
    }

    /** The group ratio; 1 for an unknown (or null/empty) group, as new-api does. */
    public BigDecimal groupRatio(String group) {
        if (group == null) {
            return BigDecimal.ONE;
        }
        BigDecimal ratio = groupRatios.get(group);
        return ratio == null ? BigDecimal.ONE : ratio;
    }

    /**
     * The completion ratio as new-api's {@code GetCompletionRatio} computes it: for names with a '/', the
     * configured value first; then the hard-coded "locked" ratio (gpt-5, o1/o3, Claude...) which the option
     * cannot override; then the configured value; then the hard-coded default (1 for unknown models).
     */
    public BigDecimal completionRatio(String model) {
        String name = normalizeModelName(model);
        if (name.contains("/")) {
            BigDecimal configured = completionRatios.get(name);
            if (configured != null) {
                return configured;
            }
        }
        HardcodedRatio hardcoded = hardcodedCompletionRatio(name);
        if (hardcoded.locked()) {
            return hardcoded.ratio();
        }
        BigDecimal configured = completionRatios.get(name);
        return configured != null ? configured : hardcoded.ratio();
    }

    /** new-api's {@code FormatMatchingModelName}: thinking-budget and GPTs names map to wildcard entries. */
    static String normalizeModelName(String model) {
        String name = model == null ? "" : model;
        if (name.startsWith("gemini-2.5-flash-lite")) {
            name = thinkingWildcard(name, "gemini-2.5-flash-lite", "gemini-2.5-flash-lite-thinking-*");
        } else if (name.startsWith("gemini-2.5-flash")) {
            name = thinkingWildcard(name, "gemini-2.5-flash", "gemini-2.5-flash-thinking-*");
        } else if (name.startsWith("gemini-2.5-pro")) {
            name = thinkingWildcard(name, "gemini-2.5-pro", "gemini-2.5-pro-thinking-*");
        }
        if (name.startsWith("gpt-4-gizmo")) {
            name = "gpt-4-gizmo-*";
        }
        if (name.startsWith("gpt-4o-gizmo")) {
            name = "gpt-4o-gizmo-*";
        }
        return name;
    }

    private static String thinkingWildcard(String name, String prefix, String wildcard) {
        return name.startsWith(prefix) && name.contains("-thinking-") ? wildcard : name;
    }

    record HardcodedRatio(BigDecimal ratio, boolean locked) {
    }

    private static final MathContext QUOTIENT = MathContext.DECIMAL64;

    private static HardcodedRatio r(String ratio, boolean locked) {
        return new HardcodedRatio(new BigDecimal(ratio), locked);
    }

    private static HardcodedRatio q(String dividend, String divisor, boolean locked) {
        // new-api writes some ratios as quotients (2.5 / 0.3) of binary numbers; we keep 16 significant digits.
        return new HardcodedRatio(new BigDecimal(dividend).divide(new BigDecimal(divisor), QUOTIENT), locked);
    }

    /** new-api's {@code getHardcodedCompletionModelRatio}, branch for branch (order matters). */
    static HardcodedRatio hardcodedCompletionRatio(String name) {
        if (name.endsWith("-all") || name.endsWith("-gizmo-*")) {
            return r("2", false);
        }
        if (name.startsWith("gpt-")) {
            if (name.startsWith("gpt-4o")) {
                if (name.equals("gpt-4o-2024-05-13")) {
                    return r("3", true);
                }
                if (name.startsWith("gpt-4o-mini-tts")) {
                    return r("20", false);
                }
                return r("4", false);
            }
            if (name.startsWith("gpt-5")) {
                if (!name.contains(".")) {
                    return r("8", true);
                }
                if (name.startsWith("gpt-5.4")) {
                    return name.startsWith("gpt-5.4-nano") ? r("6.25", true) : r("6", true);
                }
                return r("6", false);
            }
            if (name.startsWith("gpt-4.5-preview")) {
                return r("2", true);
            }
            if (name.startsWith("gpt-4-turbo") || name.endsWith("gpt-4-1106") || name.endsWith("gpt-4-1105")) {
                return r("3", true);
            }
            // Every other gpt- model (gpt-4, gpt-4.1, and also gpt-3.5: new-api's gpt-3.5 branch below
            // the Claude rules is unreachable) gets 2, not locked.
            return r("2", false);
        }
        if (name.startsWith("o1") || name.startsWith("o3")) {
            return r("4", true);
        }
        if (name.equals("chatgpt-4o-latest")) {
            return r("3", true);
        }
        if (name.contains("claude-3")) {
            return r("5", true);
        }
        if (name.contains("claude-sonnet-4") || name.contains("claude-opus-4") || name.contains("claude-haiku-4")
                || name.contains("claude-fable-5") || name.contains("claude-sonnet-5") || name.contains("claude-opus-5")) {
            return r("5", true);
        }
        if (name.contains("claude-instant-1") || name.contains("claude-2")) {
            return r("3", true);
        }
        if (name.startsWith("mistral-")) {
            return r("3", true);
        }
        if (name.startsWith("gemini-")) {
            if (name.startsWith("gemini-1.5") || name.startsWith("gemini-2.0")) {
                return r("4", true);
            }
            if (name.startsWith("gemini-2.5-pro")) {
                return r("8", false);
            }
            if (name.startsWith("gemini-2.5-flash")) {
                if (name.startsWith("gemini-2.5-flash-preview")) {
                    return name.endsWith("-nothinking") ? r("4", false) : q("3.5", "0.15", false);
                }
                if (name.startsWith("gemini-2.5-flash-lite")) {
                    return r("4", false);
                }
                return q("2.5", "0.3", false);
            }
            if (name.startsWith("gemini-robotics-er-1.5")) {
                return q("2.5", "0.3", false);
            }
            if (name.startsWith("gemini-3-pro")) {
                return name.startsWith("gemini-3-pro-image") ? r("60", false) : r("6", false);
            }
            return r("4", false);
        }
        if (name.startsWith("command")) {
            return switch (name) {
                case "command-r" -> r("3", true);
                case "command-r-plus" -> r("5", true);
                case "command-r-08-2024", "command-r-plus-08-2024" -> r("4", true);
                default -> r("4", false);
            };
        }
        if (name.startsWith("ERNIE-Speed-") || name.startsWith("ERNIE-Lite-")
                || name.startsWith("ERNIE-Character") || name.startsWith("ERNIE-Functions")) {
            return r("2", true);
        }
        return switch (name) {
            case "llama2-70b-4096" -> q("0.8", "0.64", true);
            case "llama3-8b-8192" -> r("2", true);
            case "llama3-70b-8192" -> q("0.79", "0.59", true);
            default -> r("1", false);
        };
    }

    private static Map<String, BigDecimal> frozen(Map<String, BigDecimal> map) {
        return Collections.unmodifiableMap(new TreeMap<>(map));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PricingConfig other
                && modelRatios.equals(other.modelRatios)
                && completionRatios.equals(other.completionRatios)
                && groupRatios.equals(other.groupRatios)
                && modelPrices.equals(other.modelPrices)
                && cacheRatios.equals(other.cacheRatios)
                && createCacheRatios.equals(other.createCacheRatios)
                && defaultMaxOutputTokens.equals(other.defaultMaxOutputTokens);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelRatios, completionRatios, groupRatios, modelPrices, cacheRatios, createCacheRatios,
                defaultMaxOutputTokens);
    }

    @Override
    public String toString() {
        return "PricingConfig[" + modelRatios.size() + " model ratios, " + completionRatios.size()
                + " completion ratios, " + groupRatios.size() + " group ratios, " + modelPrices.size() + " model prices, "
                + cacheRatios.size() + " cache ratios, " + createCacheRatios.size() + " cache-write ratios]";
    }
}
