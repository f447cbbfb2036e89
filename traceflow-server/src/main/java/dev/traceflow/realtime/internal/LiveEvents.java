package dev.traceflow.realtime.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.ingest.AcceptedEventsListener;
import dev.traceflow.realtime.RealtimePublisher;
import dev.traceflow.realtime.internal.broker.TopicNames;
import dev.traceflow.realtime.internal.broker.WireFormat;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The live event topic {@value #TOPIC} (issue 24: "events arriving now"): each event ingest accepted,
 * as a short summary, on its app's topic, at most {@code perSecond} a second per app. Beyond that the
 * topic carries a sample (the first events of each second) and each summary says how many accepted
 * events were left out since the one before ({@code skipped}); {@code metrics_updated} on
 * {@code traceflow:metrics} has the totals. Sent once the events are durable, before the client's
 * 202; a repeated {@code eventId} is not sequenced again within the broker's idempotency window.
 * <p>
 * The request thread only decides (a per-app count of the current second) and builds the summary of
 * the few events it keeps; publishing runs on one drainer at a time off that thread, behind a queue
 * of at most {@value #MAX_WAITING} summaries (past it, summaries are dropped and counted), so a slow
 * broker or Redis never holds up ingest. Summaries leave out what could identify a person beyond the
 * session (user ids, the full URL's query, the user agent) and cut long strings.
 */
final class LiveEvents implements AcceptedEventsListener {

    static final String TOPIC = TopicNames.RESERVED_PREFIX + "events";
    static final int MAX_WAITING = 1024;
    /** Longest string kept from an event (a message, a title, a selector); longer ones are cut. */
    static final int MAX_CHARS = 200;

    private static final Logger LOG = LoggerFactory.getLogger(LiveEvents.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final RealtimePublisher publisher;
    private final Clock clock;
    private final int perSecond;
    private final Executor executor;
    private final ConcurrentHashMap<String, Second> seconds = new ConcurrentHashMap<>();
    private final Queue<Summary> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waitingCount = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final Counter published;
    private final Counter skipped;
    private final Counter droppedQueueFull;
    private final Counter refused;

    /**
     * @param perSecond summaries per app and second; 0 switches the topic off
     * @param executor  where the drainer runs (the realtime executor)
     */
    LiveEvents(RealtimePublisher publisher, Clock clock, int perSecond, Executor executor, MeterRegistry registry) {
        if (perSecond < 0) {
            throw new IllegalArgumentException("live events per second must be 0 (off) or more, not " + perSecond);
        }
        this.publisher = publisher;
        this.clock = clock;
        this.perSecond = perSecond;
        this.executor = executor;
        this.published = Counter.builder("traceflow.realtime.live.events.published")
                .description("Accepted events sent on traceflow:events").register(registry);
        this.skipped = Counter.builder("traceflow.realtime.live.events.skipped")
                .description("Accepted events left out of traceflow:events: over the per-app rate").register(registry);
        this.droppedQueueFull = Counter.builder("traceflow.realtime.live.events.dropped").tag("reason", "queue_full")
                .description("Summaries not sent on traceflow:events").register(registry);
        this.refused = Counter.builder("traceflow.realtime.live.events.dropped").tag("reason", "refused")
                .description("Summaries not sent on traceflow:events").register(registry);
    }

    @Override
    public void accepted(String appId, List<Event> events) {
        if (perSecond == 0 || events.isEmpty()) {
            return;
        }
        long now = clock.millis();
        Second second = seconds.computeIfAbsent(appId, id -> new Second());
        int over = 0;
        for (int i = 0; i < events.size(); i++) {
            Event e = events.get(i);
            long left = second.take(now / 1000, perSecond);
            if (left < 0) {
                // the second is full: so are the rest of this request's events (the common case under load)
                over = events.size() - i;
                second.leftOut(over - 1);
                break;
            }
            if (waitingCount.incrementAndGet() > MAX_WAITING) {
                waitingCount.decrementAndGet();
                droppedQueueFull.increment();
                second.leftOut(left + 1); // this one, and those its summary would have counted
                continue;
            }
            waiting.add(new Summary(appId, publishId(e), summary(e, now, left)));
        }
        if (over > 0) {
            skipped.increment(over);
        }
        drainSoon();
    }

    private void drainSoon() {
        if (!waiting.isEmpty() && draining.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (RejectedExecutionException e) {
                draining.set(false);
                LOG.debug("Live events not sent: shutting down");
            }
        }
    }

    /** Publishes what waits, in order; one drainer at a time, so a topic gets its summaries in the order they came. */
    private void drain() {
        try {
            Summary s;
            while ((s = waiting.poll()) != null) {
                waitingCount.decrementAndGet();
                try {
                    publisher.publish(s.appId(), TOPIC, JSON.writeValueAsString(s.payload()), s.id());
                    published.increment();
                } catch (RealtimePublisher.RealtimePublishRefused | IllegalArgumentException e) {
                    refused.increment();
                    LOG.debug("A live event of app {} was not published: {}", s.appId(), e.getMessage());
                }
            }
        } finally {
            draining.set(false);
        }
        drainSoon(); // what came between the last poll and the flag
    }

    /** The broker's id: the event's own, so a client's retry of the same event is not sent twice; else a new one. */
    private static String publishId(Event e) {
        String id = e.eventId() == null ? null : "event:" + e.eventId();
        return id != null && id.length() <= WireFormat.MAX_ID_CHARS ? id : "event~" + UUID.randomUUID();
    }

    /** What the live page shows of an event; {@code skipped}: events of the app left out since the last summary. */
    static Map<String, Object> summary(Event e, long receivedAtMillis, long skipped) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "event");
        m.put("eventType", e.type().wireName());
        m.put("eventId", cut(e.eventId()));
        m.put("timestamp", Instant.ofEpochMilli(e.timestamp()).toString());
        m.put("receivedAt", Instant.ofEpochMilli(e.receivedAt() > 0 ? e.receivedAt() : receivedAtMillis).toString());
        m.put("sessionId", cut(e.sessionId()));
        m.put("path", cut(e.path()));
        m.put("title", cut(e.title()));
        m.put("release", cut(e.release()));
        m.put("environment", cut(e.environment()));
        m.put("browser", e.browser());
        m.put("os", e.os());
        m.put("deviceType", e.deviceType());
        m.put("country", e.country());
        m.put("detail", detail(e));
        m.put("skipped", skipped);
        return m;
    }

    private static Map<String, Object> detail(Event e) {
        Map<String, Object> d = new LinkedHashMap<>();
        switch (e.details()) {
            case EventDetails.ErrorDetails err -> {
                d.put("errorType", cut(err.errorType()));
                d.put("message", cut(err.message()));
                d.put("fingerprint", e.fingerprint());
            }
            case EventDetails.WebVitalDetails v -> {
                d.put("name", v.name());
                d.put("value", v.value());
                d.put("rating", v.rating());
            }
            case EventDetails.CustomEventDetails c -> d.put("name", cut(c.name()));
            case EventDetails.ClickDetails c -> d.put("selector", cut(c.selector()));
            case EventDetails.ApiCallDetails a -> {
                d.put("method", a.method());
                d.put("url", cut(withoutQueryOrFragment(a.url())));
                d.put("status", a.status());
                d.put("duration", a.duration());
            }
            case EventDetails.ResourceDetails r -> {
                d.put("name", cut(withoutQueryOrFragment(r.timing().name())));
                d.put("duration", r.timing().duration());
            }
            case EventDetails.PerformanceDetails p -> d.put("metrics", p.metrics());
            case EventDetails.None none -> {
                if (e.properties().get("revenue") instanceof Number revenue) {
                    d.put("revenue", revenue);
                }
                if (e.properties().get("conversionType") instanceof String kind) {
                    d.put("conversionType", cut(kind));
                }
            }
        }
        return d;
    }

    private static String withoutQueryOrFragment(String url) {
        if (url == null) {
            return null;
        }
        // the fragment too: an OAuth implicit flow puts its access token there
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c == '?' || c == '#') {
                return url.substring(0, i);
            }
        }
        return url;
    }

    private static String cut(String s) {
        return s == null || s.length() <= MAX_CHARS ? s : s.substring(0, MAX_CHARS) + "…";
    }

    private record Summary(String appId, String id, Map<String, Object> payload) {
    }

    /** One app's count of the current second, and what it left out since its last kept event. */
    private static final class Second {
        private long second = Long.MIN_VALUE;
        private int taken;
        private long skippedSinceKept;

        /** @return the events skipped since the last kept one when this one is kept, else -1 */
        synchronized long take(long nowSecond, int perSecond) {
            if (nowSecond != second) {
                second = nowSecond;
                taken = 0;
            }
            if (taken >= perSecond) {
                skippedSinceKept++;
                return -1;
            }
            taken++;
            long skipped = skippedSinceKept;
            skippedSinceKept = 0;
            return skipped;
        }

        synchronized void leftOut(long events) {
            skippedSinceKept += events;
        }
    }
}
