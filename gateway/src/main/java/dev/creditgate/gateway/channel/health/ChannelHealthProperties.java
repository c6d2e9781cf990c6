package dev.creditgate.gateway.channel.health;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Automatic disabling and re-enabling of channels ({@code gateway.channel-health.*}).
 *
 * @param enabled       off: failures are not counted and nothing is disabled (auto-disabled channels are still
 *                      probed and re-enabled)
 * @param failures      consecutive failures (connection errors, 401, 403, 5xx, unreadable 2xx answers) of one channel
 *                      on one instance, all within {@code window}, that disable it (status 3)
 * @param window        the failures must fall within this time; an older failure no longer counts
 * @param probeInterval an auto-disabled channel is tested at most this often (by one instance of all)
 * @param checkEvery    how often each instance looks for channels due for a probe
 * @param probeTimeout  how long a probe may take before it counts as failed
 */
@ConfigurationProperties("gateway.channel-health")
public record ChannelHealthProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("3") int failures,
        @DefaultValue("60s") Duration window,
        @DefaultValue("30s") Duration probeInterval,
        @DefaultValue("5s") Duration checkEvery,
        @DefaultValue("20s") Duration probeTimeout) {

    public ChannelHealthProperties {
        positive("gateway.channel-health.failures", failures);
        positive("gateway.channel-health.window", window.toMillis());
        positive("gateway.channel-health.probe-interval", probeInterval.toMillis());
        positive("gateway.channel-health.check-every", checkEvery.toMillis());
        positive("gateway.channel-health.probe-timeout", probeTimeout.toMillis());
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }
}
