package dev.creditgate.gateway.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class OrderedBodySubscriberTest {

    static final class FakeSubscription implements Flow.Subscription {
        final AtomicLong requested = new AtomicLong();
        final AtomicBoolean cancelled = new AtomicBoolean();

        @Override
        public void request(long n) {
            requested.addAndGet(n);
        }

        @Override
        public void cancel() {
            cancelled.set(true);
        }
    }

    static List<ByteBuffer> bytes(String s) {
        return List.of(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void everyByteReceivedBeforeAnErrorIsReadFirst() throws IOException {
        var sub = new OrderedBodySubscriber(Duration.ofSeconds(5));
        var s = new FakeSubscription();
        sub.onSubscribe(s);
        sub.onNext(bytes("data: a\n\n"));
        sub.onNext(bytes("data: b\n\n"));
        sub.onError(new IOException("connection reset"));
        byte[] buf = new byte[100];
        StringBuilder read = new StringBuilder();
        assertThatThrownBy(() -> {
            int n;
            while ((n = sub.read(buf, 0, buf.length)) >= 0) {
                read.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
        }).hasMessage("connection reset");
        assertThat(read.toString()).isEqualTo("data: a\n\ndata: b\n\n");
        assertThat(s.requested.get()).isEqualTo(3); // one at subscription, one per list taken: bounded demand
    }

    @Test
    void endOfStreamAfterTheData() throws IOException {
        var sub = new OrderedBodySubscriber(Duration.ofSeconds(5));
        sub.onSubscribe(new FakeSubscription());
        sub.onNext(bytes("xy"));
        sub.onComplete();
        assertThat(sub.readAllBytes()).isEqualTo("xy".getBytes(StandardCharsets.UTF_8));
        assertThat(sub.read()).isEqualTo(-1);
    }

    @Test
    void closingEarlyCancelsInsteadOfDraining() {
        var sub = new OrderedBodySubscriber(Duration.ofSeconds(5));
        var s = new FakeSubscription();
        sub.onSubscribe(s);
        sub.onNext(bytes("more to come"));
        sub.close();
        assertThat(s.cancelled).isTrue();
        assertThatThrownBy(sub::read).isInstanceOf(IOException.class);
    }

    @Test
    void aStalledUpstreamFailsAfterTheIdleTimeout() {
        var sub = new OrderedBodySubscriber(Duration.ofMillis(50));
        var s = new FakeSubscription();
        sub.onSubscribe(s);
        assertThatThrownBy(sub::read).isInstanceOf(HttpTimeoutException.class).hasMessageContaining("idle-timeout");
        assertThat(s.cancelled).isTrue();
    }
}
