package dev.creditgate.gateway.channel.health;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.creditgate.gateway.channel.Channel;
import dev.creditgate.gateway.channel.ChannelRepository;
import dev.creditgate.gateway.channel.ChannelSelector;
import dev.creditgate.gateway.relay.UpstreamClient;
import dev.creditgate.gateway.relay.UpstreamRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * new-api's automatic channel disabling, safe across instances sharing one database.
 *
 * <ul>
 *   <li>The relay reports each attempt: {@link #failed} for a connection error, 401, 403, 5xx or an unreadable 2xx
 *       answer (not for 429 or other client errors), {@link #succeeded} for a delivered answer (which clears the
 *       count). {@code failures} consecutive failures within {@code window} on this instance disable the channel:
 *       status 1 -> 3 with the reason and time, one conditional {@code UPDATE}; every instance drops it from its
 *       channel snapshot at its next refresh.</li>
 *   <li>Each instance looks every {@code check-every} for auto-disabled channels not tested for
 *       {@code probe-interval}, claims each with a conditional {@code UPDATE} of {@code test_time} (one instance wins
 *       per interval) and sends it one small request (a one-token chat or message for its first model). A 2xx
 *       re-enables it (status 3 -> 1); anything else records the failure as the reason and waits another interval.
 *       Channels disabled by hand (status 2) are never touched. Only types with a probe ({@code openai},
 *       {@code anthropic}) are disabled automatically.</li>
 * </ul>
 */
@Component
@EnableConfigurationProperties(ChannelHealthProperties.class)
public class ChannelHealth implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(ChannelHealth.class);
    private static final int MAX_REASON = 500;

    private final ChannelHealthProperties settings;
    private final HealthRepository repository;
    private final ChannelRepository channels;
    private final ChannelSelector selector;
    private final UpstreamClient upstream;
    private final Clock clock;
    /** channel id -> times (ms) of its consecutive failures on this instance, oldest first. */
    private final ConcurrentHashMap<Long, Deque<Long>> failures = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, Boolean> probing = new ConcurrentHashMap<>();
    private final ExecutorService probes = Executors.newVirtualThreadPerTaskExecutor();

    ChannelHealth(ChannelHealthProperties settings, HealthRepository repository, ChannelRepository channels,
                  ChannelSelector selector, UpstreamClient upstream, Clock clock) {
        this.settings = settings;
        this.repository = repository;
        this.channels = channels;
        this.selector = selector;
        this.upstream = upstream;
        this.clock = clock;
    }

    /** Whether an upstream status counts as a failure of the channel (401, 403, 5xx). */
    public static boolean countsAsFailure(int status) {
        return status == 401 || status == 403 || status >= 500;
    }

    /** An attempt on the channel delivered an answer: its failures no longer count. */
    public void succeeded(Channel channel) {
        if (!failures.isEmpty()) {
            failures.remove(channel.id());
        }
    }

    /** An attempt on the channel failed in a way that counts ({@link #countsAsFailure} or a connection error). */
    public void failed(Channel channel, String reason) {
        if (!settings.enabled() || !ProbeRequest.supports(channel.type())) {
            return; // a channel that no probe could re-enable is not disabled automatically
        }
        long now = clock.millis();
        long windowStart = now - settings.window().toMillis();
        boolean disable;
        Deque<Long> times = failures.computeIfAbsent(channel.id(), id -> new ArrayDeque<>());
        synchronized (times) {
            times.addLast(now);
            while (!times.isEmpty() && times.peekFirst() < windowStart) {
                times.removeFirst();
            }
            disable = times.size() >= settings.failures();
            if (disable) {
                times.clear();
            }
        }
        if (!disable) {
            return;
        }
        failures.remove(channel.id());
        String why = truncate(settings.failures() + " consecutive failures within " + settings.window().toSeconds()
                + "s; last: " + reason);
        if (repository.disable(channel.id(), why, now / 1000)) {
            log.warn("channel {} ({}) disabled automatically: {}", channel.id(), channel.name(), why);
            selector.refresh();
        }
    }

    /** Probes the auto-disabled channels that are due; scheduled every {@code check-every}. */
    @Scheduled(fixedDelayString = "${gateway.channel-health.check-every:5s}",
            initialDelayString = "${gateway.channel-health.check-every:5s}")
    public void probeDue() {
        try {
            long now = clock.millis() / 1000;
            long dueBefore = now - settings.probeInterval().toSeconds();
            for (long id : repository.due(dueBefore)) {
                if (probing.putIfAbsent(id, Boolean.TRUE) != null) {
                    continue; // still probing it from an earlier round
                }
                if (!repository.claim(id, dueBefore, now)) {
                    probing.remove(id);
                    continue; // another instance tests it
                }
                probes.submit(() -> {
                    try {
                        channels.find(id).ifPresent(this::probe);
                    } finally {
                        probing.remove(id);
                    }
                });
            }
        } catch (RuntimeException e) {
            log.warn("channel health check failed: {}", e.toString());
        }
    }

    private void probe(Channel channel) {
        UpstreamRequest request = ProbeRequest.of(channel);
        if (request == null) {
            repository.probeFailed(channel.id(), "no probe for channel type " + channel.type()
                    + ": enable it by hand", 0);
            return;
        }
        long t0 = System.nanoTime();
        String failure;
        Future<Integer> call = probes.submit(() -> send(request));
        try {
            int status = call.get(settings.probeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            failure = status >= 200 && status < 300 ? null : "probe answered HTTP " + status;
        } catch (TimeoutException e) {
            call.cancel(true);
            failure = "probe timed out after " + settings.probeTimeout().toSeconds() + "s";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (java.util.concurrent.ExecutionException e) {
            failure = "probe failed: " + e.getCause();
        }
        int millis = (int) Math.min(Integer.MAX_VALUE, (System.nanoTime() - t0) / 1_000_000);
        long now = clock.millis() / 1000;
        if (failure == null) {
            if (repository.enable(channel.id(), "re-enabled: probe answered in " + millis + " ms", now, millis)) {
                log.info("channel {} ({}) re-enabled: the probe answered in {} ms", channel.id(), channel.name(), millis);
                selector.refresh();
            }
        } else {
            repository.probeFailed(channel.id(), truncate(failure), millis);
        }
    }

    private int send(UpstreamRequest request) throws IOException, InterruptedException {
        HttpResponse<InputStream> answer = upstream.send(request);
        try (InputStream body = answer.body()) {
            body.readNBytes(64 << 10);
        }
        return answer.statusCode();
    }

    private static String truncate(String s) {
        return s.length() <= MAX_REASON ? s : s.substring(0, MAX_REASON) + "...";
    }

    @Override
    public void destroy() {
        probes.shutdownNow();
    }
}
