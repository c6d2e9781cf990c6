package dev.creditgate.gateway.channel;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Step 2 of the relay: which channels to try, in order. Works on an in-memory snapshot of the enabled channels,
 * re-read from the database every {@code gateway.cache-refresh} and at once after a change on this instance.
 *
 * <p>Order (new-api's): the highest priority tier first, weighted random inside a tier (without replacement), then
 * the next tier. The relay tries them in that order, failing over only before any byte reached the client.
 */
@Component
public class ChannelSelector {

    private static final Logger log = LoggerFactory.getLogger(ChannelSelector.class);

    /** model -> tiers (highest priority first) of enabled channels serving it. */
    record Snapshot(Map<String, List<List<Channel>>> byModel, List<Channel> enabled) {}

    private final ChannelRepository repository;
    private volatile Snapshot snapshot = new Snapshot(Map.of(), List.of());

    ChannelSelector(ChannelRepository repository) {
        this.repository = repository;
        refresh();
    }

    /**
     * The channels to try for a model, in order, at most {@code max}.
     *
     * @param types the channel types that speak the endpoint's wire format
     * @return empty when no enabled channel serves the model (the relay answers 503 {@code model_not_found})
     */
    public List<Channel> candidates(String model, Set<String> types, int max) {
        return order(snapshot.byModel().getOrDefault(model, List.of()), types, max, ThreadLocalRandom.current());
    }

    /**
     * The channels of {@code types} first, then those of {@code fallbackTypes} (each part in the order of
     * {@link #candidates(String, Set, int)}), at most {@code max} in all.
     */
    public List<Channel> candidates(String model, Set<String> types, Set<String> fallbackTypes, int max) {
        return order(snapshot.byModel().getOrDefault(model, List.of()), types, fallbackTypes, max,
                ThreadLocalRandom.current());
    }

    static List<Channel> order(List<List<Channel>> tiers, Set<String> types, Set<String> fallbackTypes, int max,
                               RandomGenerator random) {
        List<Channel> out = order(tiers, types, max, random);
        if (out.size() < max && !fallbackTypes.isEmpty()) {
            out.addAll(order(tiers, fallbackTypes, max - out.size(), random));
        }
        return out;
    }

    /** The models served by at least one enabled channel of the given types, sorted. */
    public Set<String> models(Set<String> types) {
        Set<String> out = new java.util.TreeSet<>();
        for (Channel c : snapshot.enabled()) {
            if (types.contains(c.type())) {
                out.addAll(c.models());
            }
        }
        return out;
    }

    static List<Channel> order(List<List<Channel>> tiers, Set<String> types, int max, RandomGenerator random) {
        List<Channel> out = new ArrayList<>();
        for (List<Channel> tier : tiers) {
            List<Channel> pool = new ArrayList<>();
            for (Channel c : tier) {
                if (types.contains(c.type())) {
                    pool.add(c);
                }
            }
            while (!pool.isEmpty() && out.size() < max) {
                out.add(pool.remove(pickWeighted(pool, random)));
            }
            if (out.size() >= max) {
                break;
            }
        }
        return out;
    }

    private static int pickWeighted(List<Channel> pool, RandomGenerator random) {
        long total = 0;
        for (Channel c : pool) {
            total += Math.max(c.weight(), 0);
        }
        if (total <= 0) {
            return random.nextInt(pool.size()); // all weights 0: uniform, as new-api does
        }
        long r = random.nextLong(total);
        for (int i = 0; i < pool.size(); i++) {
            r -= Math.max(pool.get(i).weight(), 0);
            if (r < 0) {
                return i;
            }
        }
        return pool.size() - 1;
    }

    /** Re-reads the channels; scheduled every {@code gateway.cache-refresh}. */
    @Scheduled(fixedDelayString = "${gateway.cache-refresh:1s}", initialDelayString = "${gateway.cache-refresh:1s}")
    public void refresh() {
        try {
            snapshot = build(repository.all());
        } catch (RuntimeException e) {
            log.warn("channel refresh failed, keeping the last known channels: {}", e.toString());
        }
    }

    static Snapshot build(Collection<Channel> all) {
        Map<String, TreeMap<Long, List<Channel>>> tiers = new HashMap<>();
        List<Channel> enabled = new ArrayList<>();
        for (Channel c : all) {
            if (c.status() != Channel.ENABLED) {
                continue;
            }
            enabled.add(c);
            for (String model : new LinkedHashSet<>(c.models())) {
                tiers.computeIfAbsent(model, m -> new TreeMap<>(Comparator.reverseOrder()))
                        .computeIfAbsent(c.priority(), p -> new ArrayList<>())
                        .add(c);
            }
        }
        Map<String, List<List<Channel>>> byModel = new HashMap<>();
        tiers.forEach((model, byPriority) -> byModel.put(model,
                byPriority.values().stream().map(List::copyOf).toList()));
        return new Snapshot(Map.copyOf(byModel), List.copyOf(enabled));
    }
}
