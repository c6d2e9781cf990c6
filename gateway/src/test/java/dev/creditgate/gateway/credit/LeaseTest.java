package dev.creditgate.gateway.credit;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * The local accounting of a lease against the platform's rules for it (the sizing of LeaseRequest's javadoc, played
 * here by a small model of the platform): request threads admit and finish, a maintenance thread refreshes (growing,
 * shrinking, recalling) and settles, all at once. The lease the platform holds never has to cover more than it holds:
 * every settled cost fits in it, so no capture above the lease (debt) happens while upstream costs stay within their
 * worst case.
 */
class LeaseTest {

    /** The platform's side of one lease, in micro-USD. */
    private static final class PlatformLease {
        long amount;
        long debt;

        synchronized long refresh(long want, long inUse, boolean recall, long free) {
            long floor = Math.min(inUse, amount);
            long next;
            if (recall) {
                next = floor;
            } else if (want > amount) {
                next = amount + Math.min(want - amount, free / 2);
            } else {
                next = Math.max(want, floor);
            }
            amount = next;
            return next;
        }

        synchronized long settle(long cost) {
            long covered = Math.min(cost, amount);
            amount -= covered;
            debt += cost - covered;
            return amount;
        }
    }

    private static BigDecimal usd(long micros) {
        return BigDecimal.valueOf(micros, 6);
    }

    private static long micros(BigDecimal usd) {
        return usd.movePointRight(6).longValueExact();
    }

    @Test
    void concurrentRequestsRefreshesAndSettlementsNeverOvercommitTheLease() throws Exception {
        PlatformLease platform = new PlatformLease();
        platform.amount = 50_000;
        long start = System.currentTimeMillis();
        Lease lease = new Lease("l1", "u1", usd(platform.amount), Long.MAX_VALUE, start);
        ConcurrentLinkedQueue<String[]> toSettle = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong admitted = new AtomicLong();
        AtomicLong seq = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            threads.add(Thread.ofPlatform().start(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                while (!stop.get()) {
                    long worst = r.nextLong(100, 5_000);
                    if (!lease.tryReserve("k1", usd(worst), System.currentTimeMillis())) {
                        Thread.onSpinWait();
                        continue;
                    }
                    admitted.incrementAndGet();
                    long cost = r.nextInt(4) == 0 ? 0 : r.nextLong(0, worst + 1); // some requests owe nothing
                    String event = "e" + seq.incrementAndGet();
                    lease.finish(event, usd(worst), usd(cost));
                    if (cost > 0) {
                        toSettle.add(new String[] {event, Long.toString(cost)});
                    }
                }
            }));
        }
        Thread maintenance = Thread.ofPlatform().start(() -> {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            while (!stop.get()) {
                lease.io.lock();
                try {
                    if (r.nextBoolean()) {
                        boolean recall = r.nextInt(5) == 0;
                        Lease.RefreshAsk ask = lease.beginRefresh(System.currentTimeMillis(), 60_000, 2000, 2,
                                r.nextInt(7) == 0);
                        Thread.yield(); // requests keep coming while the call is in flight
                        long granted = platform.refresh(micros(ask.wantUsd().setScale(6,
                                java.math.RoundingMode.DOWN)), micros(ask.inUseUsd()), recall, r.nextLong(0, 80_000));
                        if (r.nextInt(10) == 0) {
                            lease.refreshFailed(); // the answer was lost
                        } else {
                            lease.refreshed(usd(granted), true, recall, Set.of(), Long.MAX_VALUE);
                        }
                    } else {
                        List<String> events = new ArrayList<>();
                        long left = platform.amount;
                        for (String[] e; events.size() < 20 && (e = toSettle.poll()) != null; ) {
                            left = platform.settle(Long.parseLong(e[1]));
                            events.add(e[0]);
                        }
                        lease.settled(events, usd(left), true);
                    }
                } finally {
                    lease.io.unlock();
                }
            }
        });
        Thread.sleep(1500);
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        maintenance.join();
        assertThat(admitted.get()).as("requests were admitted locally").isGreaterThan(100);
        assertThat(platform.debt).as("no settled cost exceeded what the lease held").isZero();
        // what is left to settle still fits in the lease
        long unsettled = toSettle.stream().mapToLong(e -> Long.parseLong(e[1])).sum();
        assertThat(unsettled).isLessThanOrEqualTo(platform.amount);
        BigDecimal[] a = lease.amounts();
        assertThat(a[1]).as("nothing reserved once every request finished").isEqualByComparingTo("0");
        assertThat(micros(a[2].setScale(6))).as("unsettled, locally").isEqualTo(unsettled);
    }

    @Test
    void aRequestIsAdmittedOnlyWhenItsWorstCaseFitsAndADisabledKeyNever() {
        Lease lease = new Lease("l1", "u1", new BigDecimal("1.00"), Long.MAX_VALUE, 0);
        assertThat(lease.tryReserve("k1", new BigDecimal("0.60"), 1)).isTrue();
        assertThat(lease.tryReserve("k1", new BigDecimal("0.41"), 1)).as("0.60 + 0.41 > 1").isFalse();
        assertThat(lease.tryReserve("k2", new BigDecimal("0.40"), 1)).isTrue();
        lease.finish("e1", new BigDecimal("0.60"), new BigDecimal("0.10"));
        // 0.10 unsettled + 0.40 reserved: 0.50 of 1.00 left
        assertThat(lease.tryReserve("k1", new BigDecimal("0.51"), 1)).isFalse();
        assertThat(lease.tryReserve("k1", new BigDecimal("0.50"), 1)).isTrue();
        lease.refreshed(new BigDecimal("1.00"), true, false, Set.of("k2"), Long.MAX_VALUE);
        lease.finish("e2", new BigDecimal("0.50"), BigDecimal.ZERO);
        assertThat(lease.tryReserve("k2", new BigDecimal("0.01"), 1)).as("k2 was disabled").isFalse();
        assertThat(lease.tryReserve("k1", new BigDecimal("0.01"), Long.MAX_VALUE)).as("past its usable time")
                .isFalse();
        lease.settled(List.of("e1"), new BigDecimal("0.90"), true);
        assertThat(lease.amounts()[2]).isEqualByComparingTo("0");
        lease.end();
        assertThat(lease.tryReserve("k1", new BigDecimal("0.01"), 1)).isFalse();
    }

    @Test
    void aRefreshInFlightCapsAdmissionsAtWhatItDeclaredInUse() {
        Lease lease = new Lease("l1", "u1", new BigDecimal("10"), Long.MAX_VALUE, 0);
        assertThat(lease.tryReserve("k1", new BigDecimal("1"), 0)).isTrue();
        Lease.RefreshAsk ask = lease.beginRefresh(0, 60_000, 2000, 2, false);
        // in use 1, plus two of the largest request (1) while the call is in flight: the platform keeps 3
        assertThat(ask.inUseUsd()).isEqualByComparingTo("3");
        assertThat(lease.tryReserve("k1", new BigDecimal("1.5"), 0)).isTrue();
        assertThat(lease.tryReserve("k1", new BigDecimal("0.6"), 0)).as("the platform may shrink to 3").isFalse();
        lease.refreshFailed();
        assertThat(lease.amounts()[0]).as("assumed shrunk").isEqualByComparingTo("3");
        // giving back: nothing more while the call is in flight; the lease shrinks to what is in use
        ask = lease.beginRefresh(0, 60_000, 2000, 2, true);
        assertThat(ask.wantUsd()).isEqualByComparingTo("0");
        assertThat(ask.inUseUsd()).isEqualByComparingTo("2.5");
        assertThat(lease.tryReserve("k1", new BigDecimal("0.01"), 0)).isFalse();
    }
}
