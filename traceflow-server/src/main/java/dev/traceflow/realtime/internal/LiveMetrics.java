package dev.traceflow.realtime.internal;

import dev.traceflow.core.event.EventType;
import dev.traceflow.core.query.MetricDimension;
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
import java.util.HashMap;
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
 * metric types {@code events} (all, and by {@code event_type}), {@code page_views} (all, and by
 * {@code path}), {@code errors}, {@code conversions} (conversion and purchase events; all, and by
 * {@code conversion_type}) and {@code revenue} (their {@code properties.revenue} summed); and
 * {@code sessions} and {@code engaged_sessions} (all, and by {@code device_type},
 * {@code traffic_source}, {@code browser}, {@code os} and {@code country}): the sessions the round's
 * events started or made engaged, as {@link LiveSessions} follows them. A breakdown names at most
 * {@value #TOP_VALUES} values a round, the most frequent; the rest are summed under {@value #OTHER},
 * so a payload stays small whatever the paths.
 * <p>
 * Driven by {@link EventsStored}, which arrives on a thread of its own after each load: the listener
 * only adds to per-app counters (no query, no lock held for long), so it never holds up the loader;
 * the round publishes off that thread. Counts are by storage time (late events count when stored).
 * Apps without events in a round get nothing. Held: one counter set per app with events since the
 * last round (apps are bounded by the apps table), each breakdown at most {@value #MAX_HELD_VALUES}
 * distinct values (later new values count under {@value #OTHER}); and the sessions being followed,
 * bounded per app ({@link LiveSessions}).
 */
final class LiveMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(LiveMetrics.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** the app's metrics topic: under the server's reserved prefix, so no client or backend can publish on it */
    static final String TOPIC = TopicNames.RESERVED_PREFIX + "metrics";
    static final Duration EVERY = Duration.ofSeconds(5);
    /** values a breakdown names in one payload */
    static final int TOP_VALUES = 20;
    /** distinct values a breakdown holds between two rounds */
    static final int MAX_HELD_VALUES = 1_000;
    static final String OTHER = "(other)";

    private final RealtimePublisher publisher;
    private final Clock clock;
    private final LiveSessions sessions;
    private final Counter failed;
    private final ConcurrentHashMap<String, Round> pending = new ConcurrentHashMap<>();
    private final AtomicInteger generation = new AtomicInteger();
    private volatile boolean running;
    private Timers timers;
    private Executor executor;

    /** @param sessionsPerApp sessions {@link LiveSessions} follows at most per app ({@code TRACEFLOW_REALTIME_LIVE_SESSIONS_PER_APP}) */
    LiveMetrics(RealtimePublisher publisher, Clock clock, MeterRegistry registry, int sessionsPerApp) {
        this.publisher = publisher;
        this.clock = clock;
        this.sessions = new LiveSessions(sessionsPerApp, registry);
        this.failed = Counter.builder("traceflow.realtime.live.metrics.failed")
                .description("metrics_updated events that could not be published (the topic's limits)").register(registry);
    }

    /** Adds a load's counts and follows its sessions; on the thread {@link EventsStored} comes on, never the loader's. */
    void stored(EventsStored stored) {
        for (EventsStored.AppEvents app : stored.apps()) {
            if (app.countsByType().isEmpty()) {
                continue;
            }
            pending.compute(app.appId(), (id, round) -> {
                Round sum = round == null ? new Round() : round;
                sum.add(app);
                sessions.add(id, app.sessionEvents(), stored.storedAt(), sum.sessions);
                return sum;
            });
        }
    }

    /** Publishes one round: a {@code metrics_updated} per app with events since the last one. */
    void publishRound() {
        Instant now = clock.instant();
        sessions.expire(now);
        for (String appId : new ArrayList<>(pending.keySet())) {
            Round round = pending.remove(appId);
            if (round == null || round.counts.isEmpty()) {
                continue;
            }
            String payload = JSON.writeValueAsString(payload(now, round));
            try {
                publisher.publish(appId, TOPIC, payload, "metrics-" + now.toEpochMilli());
            } catch (RealtimePublisher.RealtimePublishRefused e) {
                failed.increment();
                LOG.debug("Live metrics of app {} not published: {}", appId, e.getMessage());
            }
        }
    }

    static Map<String, Object> payload(Instant now, Round round) {
        Map<EventType, Long> counts = round.counts;
        List<Map<String, Object>> metrics = new ArrayList<>();
        long all = counts.values().stream().mapToLong(Long::longValue).sum();
        metrics.add(metric("events", all, null, null));
        add(metrics, "page_views", counts.getOrDefault(EventType.PAGEVIEW, 0L));
        add(metrics, "errors", counts.getOrDefault(EventType.ERROR, 0L));
        long conversions = counts.getOrDefault(EventType.CONVERSION, 0L) + counts.getOrDefault(EventType.PURCHASE, 0L);
        add(metrics, "conversions", conversions);
        if (conversions > 0) {
            metrics.add(metric("revenue", round.revenue, null, null));
        }
        counts.forEach((type, n) -> metrics.add(metric("events", n, "event_type", type.wireName())));
        round.pageViewsByPath.top(TOP_VALUES).forEach((path, n) -> metrics.add(metric("page_views", n, "path", path)));
        round.conversionsByType.top(TOP_VALUES).forEach((type, n) -> metrics.add(metric("conversions", n, "conversion_type", type)));
        addSessions(metrics, round.sessions);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("type", "metrics_updated");
        payload.put("timestamp", now.truncatedTo(ChronoUnit.MILLIS).toString());
        payload.put("metrics", metrics);
        return payload;
    }

    /** Sessions and engaged sessions; a correction may make a value negative, a value that nets to 0 is left out. */
    private static void addSessions(List<Map<String, Object>> metrics, SessionCounts counts) {
        if (counts.sessions != 0) {
            metrics.add(metric("sessions", counts.sessions, null, null));
        }
        if (counts.engaged != 0) {
            metrics.add(metric("engaged_sessions", counts.engaged, null, null));
        }
        for (MetricDimension d : SessionCounts.DIMENSIONS) {
            counts.sessionsBy.get(d).top(TOP_VALUES).forEach((value, n) -> metrics.add(metric("sessions", n, d.wireName(), value)));
        }
        for (MetricDimension d : SessionCounts.DIMENSIONS) {
            counts.engagedBy.get(d).top(TOP_VALUES).forEach((value, n) -> metrics.add(metric("engaged_sessions", n, d.wireName(), value)));
        }
    }

    private static void add(List<Map<String, Object>> metrics, String type, long value) {
        if (value > 0) {
            metrics.add(metric(type, value, null, null));
        }
    }

    private static Map<String, Object> metric(String type, Number value, String dimension, String dimensionValue) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("metricType", type);
        m.put("granularity", "minute");
        m.put("value", value);
        m.put("dimension", dimension);
        m.put("dimensionValue", dimensionValue);
        return m;
    }

    /** One app's increments since the last round. Guarded by {@link ConcurrentHashMap#compute}. */
    static final class Round {
        final Map<EventType, Long> counts = new EnumMap<>(EventType.class);
        final BoundedCounts pageViewsByPath = new BoundedCounts();
        final BoundedCounts conversionsByType = new BoundedCounts();
        final SessionCounts sessions = new SessionCounts();
        double revenue;

        void add(EventsStored.AppEvents app) {
            app.countsByType().forEach((type, n) -> counts.merge(type, n, Long::sum));
            pageViewsByPath.add(app.breakdown().pageViewsByPath());
            conversionsByType.add(app.breakdown().conversionsByType());
            revenue += app.breakdown().revenue();
        }
    }

    /** Counts by value, holding at most {@link #MAX_HELD_VALUES} values; later new ones count as {@link #OTHER}. */
    static final class BoundedCounts {
        private final Map<String, Long> byValue = new HashMap<>();
        private long other;

        void add(Map<String, Long> counts) {
            counts.forEach(this::add);
        }

        void add(String value, long n) {
            if (byValue.containsKey(value) || byValue.size() < MAX_HELD_VALUES) {
                byValue.merge(value, n, Long::sum);
            } else {
                other += n;
            }
        }

        /**
         * The {@code limit} most frequent values (ties by value), then the rest as {@link #OTHER} if any;
         * values whose increments net to 0 are left out.
         */
        Map<String, Long> top(int limit) {
            List<Map.Entry<String, Long>> sorted = new ArrayList<>();
            byValue.entrySet().stream().filter(e -> e.getValue() != 0).forEach(sorted::add);
            sorted.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
            Map<String, Long> top = new LinkedHashMap<>();
            long rest = other;
            for (int i = 0; i < sorted.size(); i++) {
                if (i < limit) {
                    top.put(sorted.get(i).getKey(), sorted.get(i).getValue());
                } else {
                    rest += sorted.get(i).getValue();
                }
            }
            if (rest != 0) {
                top.merge(OTHER, rest, Long::sum);
            }
            return top;
        }
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
        sessions.clear();
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
