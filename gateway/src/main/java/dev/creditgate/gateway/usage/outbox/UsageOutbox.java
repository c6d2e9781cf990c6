package dev.creditgate.gateway.usage.outbox;

import java.time.Clock;
import java.util.List;
import java.util.Objects;

import dev.creditgate.gateway.db.GroupCommit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The writer's side of the usage outbox (CREDIT-MODES.md): the credit admission records an intent before the
 * upstream call and settles it afterwards; the {@link OutboxDeliverer} does the rest in the background.
 * Each method is one SQL statement on the gateway's database. Intents and settlements are group-committed
 * ({@link GroupCommit}): those that arrive while another one's transaction runs share the next transaction, so under
 * load a request's two outbox writes cost a fraction of a commit each; each is committed before its call returns, as
 * alone.
 */
@Service
public class UsageOutbox {

    private static final Logger log = LoggerFactory.getLogger(UsageOutbox.class);

    private final OutboxRepository repository;
    private final OutboxProperties properties;
    private final Clock clock;
    private final ObjectProvider<OutboxDeliverer> deliverer;
    private final Counter settleLost;
    private volatile String owner; // the deliverer's, once known
    private final GroupCommit<OutboxRepository.Intent, Boolean> intents;
    private final GroupCommit<OutboxRepository.Settle, Boolean> settles;

    /** The most intents (or settlements) in one transaction. */
    static final int MAX_BATCH = 64;

    UsageOutbox(OutboxRepository repository, OutboxProperties properties, Clock clock,
                ObjectProvider<OutboxDeliverer> deliverer, MeterRegistry metrics,
                PlatformTransactionManager transactionManager) {
        this.repository = repository;
        TransactionTemplate tx = new TransactionTemplate(transactionManager);
        DistributionSummary intentBatches = batchSizes(metrics, "intent");
        DistributionSummary settleBatches = batchSizes(metrics, "settle");
        this.intents = new GroupCommit<>(MAX_BATCH, i -> {
            repository.insertIntents(List.of(i));
            return Boolean.TRUE;
        }, batch -> tx.execute(status -> {
            repository.insertIntents(batch);
            return java.util.Collections.nCopies(batch.size(), Boolean.TRUE);
        }), intentBatches::record);
        this.settles = new GroupCommit<>(MAX_BATCH, s -> repository.settleAll(List.of(s)).getFirst(),
                batch -> tx.execute(status -> repository.settleAll(batch)), settleBatches::record);
        this.properties = properties;
        this.clock = clock;
        this.deliverer = deliverer;
        this.settleLost = Counter.builder("creditgate.usage.outbox.settle.lost")
                .description("settlements that came after recovery had already charged the estimate")
                .register(metrics);
    }

    private static DistributionSummary batchSizes(MeterRegistry metrics, String write) {
        return DistributionSummary.builder("creditgate.usage.outbox.batch")
                .description("outbox writes sharing one transaction (group commit), batches of two or more")
                .tag("write", write).register(metrics);
    }

    /**
     * Writes the INTENT row (the estimate) before the upstream is called. If the gateway dies before
     * {@link #settle}, recovery charges the estimate after {@code gateway.usage.outbox.intent-timeout}.
     *
     * @param eventId     the idempotency key at the platform (derived from the request id)
     * @param kind        {@link OutboxKind#CAPTURE} (a hold exists) or {@link OutboxKind#WEBHOOK} (none)
     * @param holdId      the hold to capture, or null
     * @param estimate    the estimated usage and cost
     * @throws RuntimeException when the database refuses the row (the caller must not relay the request)
     */
    public void recordIntent(String eventId, OutboxKind kind, long tokenId, String remoteKeyId, String holdId,
                             UsagePayload estimate) {
        Objects.requireNonNull(eventId, "eventId");
        if ((kind == OutboxKind.CAPTURE || kind == OutboxKind.LEASE) && holdId == null) {
            throw new IllegalArgumentException(kind + " intent without a hold or lease id");
        }
        long now = clock.millis();
        long due = now + properties.intentTimeout().toMillis();
        String mine = ownRow(kind);
        intents.run(new OutboxRepository.Intent(eventId, kind, tokenId, remoteKeyId, holdId, estimate.toJson(), due,
                now, mine, mine == null ? 0 : due + properties.claimLease().toMillis()));
    }

    /**
     * Turns the intent into the final charge ({@code CAPTURE} / {@code WEBHOOK} with the actual cost, or
     * {@code RELEASE}) and wakes the deliverer.
     *
     * @return false when recovery already charged the estimate (the request outlived the intent timeout)
     */
    public boolean settle(String eventId, OutboxKind kind, UsagePayload actual) {
        long now = clock.millis();
        String mine = ownRow(kind);
        boolean won = settles.run(new OutboxRepository.Settle(eventId, kind, actual.toJson(), now, mine,
                mine == null ? 0 : now + properties.claimLease().toMillis()));
        if (won) {
            if (kind != OutboxKind.LEASE) { // lease rows wait for the next poll, to be settled in batches
                wake();
            }
        } else {
            settleLost.increment();
            log.warn("usage event {}: settled after recovery had already charged its estimate; actual cost {} USD not"
                    + " sent (raise gateway.usage.outbox.intent-timeout above the longest request)", eventId,
                    actual.costUsd().toPlainString());
        }
        return won;
    }

    /**
     * Keeps a running request's intent from being recovered: its deadline becomes now +
     * {@code gateway.usage.outbox.intent-timeout} again (a stream that outlives the timeout is renewed, not charged
     * its estimate).
     */
    public boolean keepAlive(String eventId) {
        long now = clock.millis();
        return repository.postponeIntent(eventId, now + properties.intentTimeout().toMillis(), now);
    }

    /** Drops an intent that owes nothing (no hold to release, nothing delivered). */
    public boolean discard(String eventId) {
        return repository.discard(eventId);
    }

    /**
     * The instance that delivers a row of this kind while it lives: LEASE rows are settled by the lease's own
     * instance (its local accounting of the lease learns from the answer); another instance takes them over only
     * after {@code claim-lease} (the instance died). Other kinds: any instance (null).
     */
    private String ownRow(OutboxKind kind) {
        if (kind != OutboxKind.LEASE) {
            return null;
        }
        String o = owner;
        if (o == null) { // looked up once: the provider's lookup cost more than the row's other work
            OutboxDeliverer d = deliverer.getIfAvailable();
            o = d == null ? null : d.owner();
            owner = o;
        }
        return o;
    }

    /** Asks the deliverer to look for due rows now rather than at its next poll. */
    public void wake() {
        OutboxDeliverer d = deliverer.getIfAvailable();
        if (d != null) {
            d.wake();
        }
    }
}
