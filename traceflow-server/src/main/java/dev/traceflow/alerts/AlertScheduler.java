package dev.traceflow.alerts;

import dev.traceflow.TraceFlowProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the engine's rounds every {@code traceflow.alerts.tick} on one platform thread (rule
 * queries end in the store's reader pool; a round never overlaps the next). Each rule is due on its
 * own beat (see {@link AlertEngine#firstDue}), so the tick only bounds how late a rule may run.
 */
@Component
class AlertScheduler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(AlertScheduler.class);

    private final AlertEngine engine;
    private final Clock clock;
    private final TraceFlowProperties.Alerts properties;
    private ScheduledExecutorService executor;

    AlertScheduler(AlertEngine engine, Clock clock, TraceFlowProperties properties) {
        this.engine = engine;
        this.clock = clock;
        this.properties = properties.alerts();
    }

    @Override
    public synchronized void start() {
        if (properties.tick().isZero() || properties.tick().isNegative()) {
            log.info("Scheduled alert evaluation is off (traceflow.alerts.tick = {})", properties.tick());
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("alerts-scheduler").daemon().factory());
        long tick = properties.tick().toMillis();
        executor.scheduleWithFixedDelay(this::round, tick, tick, TimeUnit.MILLISECONDS);
    }

    private void round() {
        try {
            engine.evaluateDue(clock.instant());
        } catch (RuntimeException e) {
            log.error("An alert round failed", e);
        }
    }

    @Override
    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return executor != null;
    }
}
