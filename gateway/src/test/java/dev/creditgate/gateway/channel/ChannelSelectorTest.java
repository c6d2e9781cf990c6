package dev.creditgate.gateway.channel;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

class ChannelSelectorTest {

    static Channel channel(long id, String type, long priority, int weight, int status, String... models) {
        return new Channel(id, type, "c" + id, "http://x", "k", List.of(models), Map.of(), priority, weight, status, 0, 0);
    }

    static final Set<String> OPENAI = Set.of(Channel.TYPE_OPENAI);

    @Test
    void higherPriorityTierComesFirstAndEveryChannelOfTheModelIsACandidate() {
        var snapshot = ChannelSelector.build(List.of(
                channel(1, "openai", 0, 1, 1, "m"),
                channel(2, "openai", 10, 1, 1, "m"),
                channel(3, "openai", 10, 1, 1, "m"),
                channel(4, "openai", 5, 1, 1, "m", "other"),
                channel(5, "openai", 99, 1, 2, "m"),          // disabled
                channel(6, "anthropic", 50, 1, 1, "m"),       // another wire format
                channel(7, "openai", 99, 1, 1, "other")));
        var random = new SplittableRandom(1);
        for (int i = 0; i < 50; i++) {
            List<Channel> order = ChannelSelector.order(snapshot.byModel().get("m"), OPENAI, 10, random);
            assertThat(order).extracting(Channel::id).hasSize(4);
            assertThat(order.subList(0, 2)).extracting(Channel::id).containsExactlyInAnyOrder(2L, 3L);
            assertThat(order.get(2).id()).isEqualTo(4);
            assertThat(order.get(3).id()).isEqualTo(1);
        }
        assertThat(ChannelSelector.order(snapshot.byModel().get("m"), OPENAI, 2, random)).hasSize(2);
        assertThat(snapshot.byModel().get("nothing")).isNull();
    }

    @Test
    void channelsOfTheFallbackTypeComeAfterEveryNativeOneWhateverTheirPriority() {
        var snapshot = ChannelSelector.build(List.of(
                channel(1, "openai", 0, 1, 1, "m"),
                channel(2, "anthropic", 99, 1, 1, "m"),
                channel(3, "openai", 10, 1, 1, "m"),
                channel(4, "anthropic", 5, 1, 1, "m"),
                channel(5, "anthropic", 50, 1, 1, "only-anthropic")));
        var random = new SplittableRandom(3);
        Set<String> anthropic = Set.of(Channel.TYPE_ANTHROPIC);
        assertThat(ChannelSelector.order(snapshot.byModel().get("m"), OPENAI, anthropic, 10, random))
                .extracting(Channel::id).containsExactly(3L, 1L, 2L, 4L);
        assertThat(ChannelSelector.order(snapshot.byModel().get("m"), OPENAI, anthropic, 3, random))
                .extracting(Channel::id).containsExactly(3L, 1L, 2L);
        assertThat(ChannelSelector.order(snapshot.byModel().get("m"), OPENAI, Set.of(), 10, random))
                .extracting(Channel::id).containsExactly(3L, 1L);
        assertThat(ChannelSelector.order(snapshot.byModel().get("only-anthropic"), OPENAI, anthropic, 3, random))
                .extracting(Channel::id).containsExactly(5L);
    }

    @Test
    void weightsShareTheFirstPickInsideATier() {
        var snapshot = ChannelSelector.build(List.of(channel(1, "openai", 0, 1, 1, "m"), channel(2, "openai", 0, 3, 1, "m")));
        var random = new SplittableRandom(42);
        Map<Long, Integer> first = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            first.merge(ChannelSelector.order(snapshot.byModel().get("m"), OPENAI, 2, random).getFirst().id(), 1, Integer::sum);
        }
        // expected 25% / 75%
        assertThat(first.get(1L)).isBetween(4_500, 5_500);
        assertThat(first.get(2L)).isBetween(14_500, 15_500);
    }

    @Test
    void zeroWeightsAreUniform() {
        var snapshot = ChannelSelector.build(List.of(channel(1, "openai", 0, 0, 1, "m"), channel(2, "openai", 0, 0, 1, "m")));
        var random = new SplittableRandom(7);
        int ones = 0;
        for (int i = 0; i < 10_000; i++) {
            if (ChannelSelector.order(snapshot.byModel().get("m"), OPENAI, 1, random).getFirst().id() == 1) {
                ones++;
            }
        }
        assertThat(ones).isBetween(4_500, 5_500);
    }

    @Test
    void modelMappingKeepsUnmappedNames() {
        Channel c = new Channel(1, "openai", "c", "http://x", "k", List.of("a", "b"), Map.of("a", "upstream-a"), 0, 1, 1, 0, 0);
        assertThat(c.upstreamModel("a")).isEqualTo("upstream-a");
        assertThat(c.upstreamModel("b")).isEqualTo("b");
        assertThat(c.toString()).doesNotContain("k,");
    }
}
