package dev.creditgate.gateway.option;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;

/**
 * Run-time options (SPEC 3.3), read by every part of the gateway on the hot path without touching the database.
 *
 * <p>Where a value comes from: the {@code options} table if it has the key, else a Spring property of the same
 * name (e.g. {@code letaicode_domain=...} or env {@code LETAICODE_DOMAIN}) as the initial value, else the
 * caller's default. The table is re-read every {@code gateway.cache-refresh} (1 s by default) on every
 * instance, and at once on the instance that wrote it, so a {@code PUT /api/option/} applies everywhere within
 * about a second, without restart.
 *
 * <p>Getters never throw: an unparsable stored value yields the default (and a warning once per value).
 * Writes are validated by the {@link OptionValidator} beans and {@link KnownOptions}.
 */
@Service
public class OptionService {

    private static final Logger log = LoggerFactory.getLogger(OptionService.class);

    private final OptionRepository repository;
    private final Environment environment;
    private final List<OptionValidator> validators;
    private final Clock clock;

    private volatile Map<String, String> snapshot = Map.of();
    private final Map<String, Optional<String>> fromEnvironment = new ConcurrentHashMap<>();
    private final Map<ParsedKey, Parsed> parsed = new ConcurrentHashMap<>();
    private final Map<String, String> warned = new ConcurrentHashMap<>();

    OptionService(OptionRepository repository, Environment environment, List<OptionValidator> validators, Clock clock) {
        this.repository = repository;
        this.environment = environment;
        this.validators = validators;
        this.clock = clock;
        refresh();
    }

    /** The value of {@code key}, or {@code dflt} when neither the table nor a property has it. */
    public String get(String key, String dflt) {
        String v = snapshot.get(key);
        if (v != null) {
            return v;
        }
        return fromEnvironment.computeIfAbsent(key, k -> Optional.ofNullable(environment.getProperty(k))).orElse(dflt);
    }

    public long getLong(String key, long dflt) {
        String v = get(key, null);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            warnOnce(key, v, "an integer");
            return dflt;
        }
    }

    public int getInt(String key, int dflt) {
        long v = getLong(key, dflt);
        return v < Integer.MIN_VALUE || v > Integer.MAX_VALUE ? dflt : (int) v;
    }

    /** {@code true}/{@code false} (case-insensitive); anything else yields {@code dflt}. */
    public boolean getBoolean(String key, boolean dflt) {
        String v = get(key, null);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        if (v.trim().equalsIgnoreCase("true")) {
            return true;
        }
        if (v.trim().equalsIgnoreCase("false")) {
            return false;
        }
        warnOnce(key, v, "true or false");
        return dflt;
    }

    /** An exact decimal (money, rates); never a double. */
    public BigDecimal getDecimal(String key, BigDecimal dflt) {
        String v = get(key, null);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        try {
            return new BigDecimal(v.trim());
        } catch (NumberFormatException e) {
            warnOnce(key, v, "a decimal number");
            return dflt;
        }
    }

    /**
     * The value turned into a {@code T} by {@code parser}, parsed once per distinct stored value and cached
     * (for JSON options such as {@code ModelRatio}). Pass the same parser instance every time (a constant or a
     * method reference held in a field): the cache is keyed by key and parser. When the value is absent or the
     * parser throws, {@code dflt} is returned.
     */
    public <T> T getParsed(String key, Function<String, T> parser, T dflt) {
        String raw = get(key, null);
        if (raw == null) {
            return dflt;
        }
        ParsedKey pk = new ParsedKey(key, parser);
        Parsed p = parsed.get(pk);
        if (p == null || !p.raw.equals(raw)) {
            Object value;
            try {
                value = parser.apply(raw);
            } catch (RuntimeException e) {
                warnOnce(key, raw, "a value its parser accepts (" + e.getMessage() + ")");
                value = null;
            }
            p = new Parsed(raw, value);
            parsed.put(pk, p);
        }
        @SuppressWarnings("unchecked")
        T value = (T) p.value;
        return value == null ? dflt : value;
    }

    /** Every stored option (not the property-only ones), sorted by key. Unmasked: callers that answer mask. */
    public Map<String, String> all() {
        return new TreeMap<>(snapshot);
    }

    /**
     * Validates and stores an option; this instance sees it at once, others within {@code gateway.cache-refresh}.
     *
     * @throws IllegalArgumentException when a validator refuses the value (nothing is stored)
     */
    public void put(String key, String value) {
        KnownOptions.validate(key, value);
        for (OptionValidator validator : validators) {
            validator.validate(key, value);
        }
        repository.put(key, value, clock.instant().getEpochSecond());
        refresh();
    }

    /** Re-reads the table; scheduled every {@code gateway.cache-refresh}. */
    @Scheduled(fixedDelayString = "${gateway.cache-refresh:1s}", initialDelayString = "${gateway.cache-refresh:1s}")
    public void refresh() {
        try {
            snapshot = Map.copyOf(repository.loadAll());
        } catch (RuntimeException e) {
            log.warn("options refresh failed, keeping the last known values: {}", e.toString());
        }
    }

    private void warnOnce(String key, String value, String expected) {
        if (!value.equals(warned.put(key, value))) {
            log.warn("option {} has a value that is not {}; using the default", key, expected);
        }
    }

    private record ParsedKey(String key, Function<?, ?> parser) {}

    private record Parsed(String raw, Object value) {}
}
