package dev.traceflow.realtime.internal;

import dev.traceflow.core.event.EventType;
import dev.traceflow.realtime.RealtimePublisher;
import dev.traceflow.realtime.internal.broker.TopicNames;
import dev.traceflow.realtime.internal.broker.Timers;
import dev.traceflow.storage.EventsStored;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Live metrics (issue 19 item 10, seed 004): every {@link #EVERY} an app that had events stored
 * since the last round gets one {@code metrics_updated} event on its topic {@value #TOPIC}, in seed
 * 004's shape: {@code {type, timestamp, metrics: [{metricType, granularity, value, dimension,
 * dimensionValue}]}}. Values are increments: the events stored in the round, put into the minute
 * bucket of {@code timestamp} (granularity {@code minute}), as seed 004's buffer of increments does;
 * metric types {@code events} (all, and by {@code event_type}), {@code page_views}, {@code errors}
 * and {@code conversions} (conversion and purchase events).
 * <p>
 * Driven by {@link EventsStored}, which arrives on a thread of its own after each load: the listener
 * only adds to per-app counters (no query, no lock held for long), so it never holds up the loader;
 * the round publishes off that thread. Counts are by storage time (late events count when stored).
 * Apps without events in a round get nothing. Held: one counter set per app with events since the
 * last round (apps are bounded by the apps table).
 */
final class LiveMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(LiveMetrics.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** the app's metrics topic: under the server's reserved prefix, so no client or backend can publish on it */
    static final String TOPIC = TopicNames.RESERVED_PREFIX + "metrics";
    static final Duration EVERY = Duration.ofSeconds(5);

    private final RealtimePublisher publisher;
    private final Clock clock;
    private final Counter failed;
    private final ConcurrentHashMap<String, Map<EventType, Long>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger generation = new AtomicInteger();
    private volatile boolean running;
    private Timers timers;
    private Executor executor;

    LiveMetrics(RealtimePublisher publisher, Clock clock, MeterRegistry registry) {
        this.publisher = publisher;
        this.clock = clock;
        this.failed = Counter.builder("traceflow.realtime.live.metrics.failed")
                .description("metrics_updated events that could not be published (the topic's limits)").register(registry);
    }

    /** Adds a load's counts; cheap, never blocks beyond a map merge. */
    void stored(EventsStored stored) {
        for (EventsStored.AppEvents app : stored.apps()) {
            if (app.countsByType().isEmpty()) {
                continue;
            }
            pending.compute(app.appId(), (id, counts) -> {
                Map<EventType, Long> sum = counts == null ? new EnumMap<>(EventType.class) : counts;
                app.countsByType().forEach((type, n) -> sum.merge(type, n, Long::sum));
                return sum;
            });
        }
    }

    /** Publishes one round: a {@code metrics_updated} per app with events since the last one. */
    void publishRound() {
        Instant now = clock.instant();
        for (String appId : new ArrayList<>(pending.keySet())) {
            Map<EventType, Long> counts = pending.remove(appId);
            if (counts == null || counts.isEmpty()) {
                continue;
            }
            String payload = JSON.writeValueAsString(payload(now, counts));
            try {
                publisher.publish(appId, TOPIC, payload, "metrics-" + now.toEpochMilli());
            } catch (RealtimePublisher.RealtimePublishRefused e) {
                failed.increment();
                LOG.debug("Live metrics of app {} not published: {}", appId, e.getMessage());
            }
        }
    }

    static Map<String, Object> payload(Instant now, Map<EventType, Long> counts) {
        List<Map<String, Object>> metrics = new ArrayList<>();
        long all = counts.values().stream().mapToLong(Long::longValue).sum();
        metrics.add(metric("events", all, null, null));
        add(metrics, "page_views", counts.getOrDefault(EventType.PAGEVIEW, 0L));
        add(metrics, "errors", counts.getOrDefault(EventType.ERROR, 0L));
        add(metrics, "conversions", counts.getOrDefault(EventType.CONVERSION, 0L) + counts.getOrDefault(EventType.PURCHASE, 0L));
        counts.forEach((type, n) -> metrics.add(metric("events", n, "event_type", type.wireName())));
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("type", "metrics_updated");
        payload.put("timestamp", now.truncatedTo(ChronoUnit.MILLIS).toString());
        payload.put("metrics", metrics);
        return payload;
    }

    private static void add(List<Map<String, Object>> metrics, String type, long value) {
        if (value > 0) {
            metrics.add(metric(type, value, null, null));
        }
    }

    private static Map<String, Object> metric(String type, long value, String dimension, String dimensionValue) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metricType", type);
        m.put("granularity", "minute");
        m.put("value", value);
        m.put("dimension", dimension);
        m.put("dimensionValue", dimensionValue);
        return m;
    }

    /** Starts the rounds. Restartable after {@link #stop()}. */
    void start(Timers timers, Executor executor) {
        this.timers = timers;
        this.executor = executor;
        running = true;
        schedule(generation.incrementAndGet());
    }

    void stop() {
        running = false;
        generation.incrementAndGet();
        pending.clear();
    }

    private void schedule(int started) {
        if (running && generation.get() == started) {
            timers.schedule(EVERY, () -> {
                try {
                    executor.execute(() -> {
                        try {
                            publishRound();
                        } finally {
                            schedule(started);
                        }
                    });
                } catch (RejectedExecutionException e) {
                    LOG.debug("Live metrics round not run: shutting down");
                }
            });
        }
    }
}
