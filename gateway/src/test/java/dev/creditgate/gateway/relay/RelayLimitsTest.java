package dev.creditgate.gateway.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class RelayLimitsTest {

    static final long MIB = 1024 * 1024;

    @Test
    void theAutomaticBoundIsOneRelayPer128KibOfHeapAboveTheReserve() {
        assertThat(RelayLimits.fromHeap(1024 * MIB)).isEqualTo((1024 - 256) * 8);
        assertThat(RelayLimits.fromHeap(4096 * MIB)).isEqualTo((4096 - 256) * 8);
        assertThat(RelayLimits.fromHeap(256 * MIB)).isEqualTo(RelayLimits.AUTO_MIN);
        assertThat(RelayLimits.fromHeap(64 * MIB)).isEqualTo(RelayLimits.AUTO_MIN);
        assertThat(RelayLimits.fromHeap(Long.MAX_VALUE)).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void anExplicitBoundWinsAndANegativeOneStopsTheStart() {
        assertThat(new RelayLimits(200, Duration.ofMinutes(20), 7).concurrentRelays()).isEqualTo(7);
        assertThat(new RelayLimits(200, Duration.ofMinutes(20), 0).concurrentRelays())
                .isEqualTo(RelayLimits.fromHeap(Runtime.getRuntime().maxMemory()));
        assertThatThrownBy(() -> new RelayLimits(200, Duration.ofMinutes(20), -1))
                .hasMessageContaining("gateway.relay.max-concurrent: -1");
    }
}
