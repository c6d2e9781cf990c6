package dev.creditgate.credits.apikey;

import java.util.concurrent.ScheduledFuture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.stereotype.Component;

import dev.creditgate.credits.CreditsProperties;

/** Every {@code credits.gateway.reconcile-interval}: removes the traces of failed key creations (see {@link ApiKeyService}). */
@Component
class KeyReconciler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(KeyReconciler.class);

    private final ApiKeyService keys;
    private final TaskScheduler scheduler;
    private final CreditsProperties.Gateway props;
    private volatile ScheduledFuture<?> task;

    KeyReconciler(ApiKeyService keys, TaskScheduler scheduler, CreditsProperties props) {
        this.keys = keys;
        this.scheduler = scheduler;
        this.props = props.gateway();
    }

    @Override
    public void start() {
        task = scheduler.scheduleWithFixedDelay(() -> {
            try {
                keys.reconcile();
            } catch (RuntimeException e) {
                log.warn("key reconciliation failed: {}", e.toString());
            }
        }, props.reconcileInterval());
    }

    @Override
    public void stop() {
        ScheduledFuture<?> t = task;
        if (t != null) {
            t.cancel(false);
        }
        task = null;
    }

    @Override
    public boolean isRunning() {
        return task != null;
    }
}
