package dev.creditgate.gateway.relay;

import java.math.BigDecimal;
import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import dev.creditgate.gateway.admission.EndpointKind;
import dev.creditgate.gateway.admission.Settled;
import dev.creditgate.gateway.admission.UsageReport;
import dev.creditgate.gateway.pricing.CacheTokens;
import dev.creditgate.gateway.pricing.TokenUsage;
import dev.creditgate.gateway.token.Token;
import dev.creditgate.gateway.usage.LogEntry;
import dev.creditgate.gateway.usage.LogWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/** Step 7: one log row per relayed request (through the asynchronous {@link LogWriter}) and the request metrics. */
@Component
class RequestRecorder {

    private final LogWriter writer;
    private final Clock clock;
    private final MeterRegistry metrics;
    private final ConcurrentHashMap<CounterKey, Counter> counters = new ConcurrentHashMap<>();

    RequestRecorder(LogWriter writer, Clock clock, MeterRegistry metrics) {
        this.writer = writer;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** A consumption row: the tokens charged for (else the observed ones), the charge, and new-api's {@code other}. */
    void consumed(RelayExchange ex, UsageReport usage, Settled settled, String content) {
        TokenUsage charged = settled.tokens();
        int prompt;
        int completion;
        CacheTokens cache;
        if (charged != null) {
            prompt = charged.promptTokens();
            completion = charged.completionTokens();
            cache = charged.cache();
        } else {
            prompt = usage.promptTokens() == null ? 0 : usage.promptTokens();
            completion = usage.completionTokens() == null ? 0 : usage.completionTokens();
            cache = usage.cache();
        }
        write(ex, LogEntry.CONSUME, prompt, completion, settled.quota(), content, settled.costUsd(),
                LogOther.of(settled.price(), cache, ex.outputLimit()));
    }

    void failed(RelayExchange ex, String message) {
        write(ex, LogEntry.ERROR, 0, 0, 0, message, BigDecimal.ZERO, "");
    }

    /** Counts a request by endpoint and answered HTTP status ({@code gateway.relay.requests}). */
    void count(RelayExchange ex, int status) {
        counters.computeIfAbsent(new CounterKey(ex.endpoint(), status), k -> Counter.builder("gateway.relay.requests")
                        .description("relay requests by endpoint and answered status")
                        .tag("endpoint", k.endpoint().name().toLowerCase())
                        .tag("status", Integer.toString(k.status()))
                        .register(metrics))
                .increment();
    }

    /** Counters are looked up once per tag set, not built and registered again on every request. */
    private record CounterKey(EndpointKind endpoint, int status) {}

    private void write(RelayExchange ex, int type, int prompt, int completion, long quota, String content,
                       BigDecimal costUsd, String other) {
        if (ex.auth() == null) {
            return; // not authenticated: nothing to attribute the row to
        }
        Token t = ex.auth().token();
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ex.startNanos());
        writer.write(new LogEntry(
                clock.instant().getEpochSecond(), type, t.userId(), t.id(), t.name(),
                ex.model() == null ? "" : ex.model(),
                prompt, completion, quota, ex.requestId(), ex.stream(), (int) Math.min(Integer.MAX_VALUE, elapsedMs),
                ex.channel() == null ? 0 : ex.channel().id(),
                content == null ? "" : truncate(content), costUsd, other));
    }

    private static String truncate(String s) {
        return s.length() <= 2000 ? s : s.substring(0, 2000) + "...";
    }
}
