package dev.traceflow.ingest;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.traceflow.ingest.SentryGrouping.fingerprint;
import static dev.traceflow.ingest.SentryGrouping.message;
import static dev.traceflow.ingest.SentryValues.MAX_LIST;
import static dev.traceflow.ingest.SentryValues.bounded;
import static dev.traceflow.ingest.SentryValues.cut;
import static dev.traceflow.ingest.SentryValues.headers;
import static dev.traceflow.ingest.SentryValues.orEmpty;
import static dev.traceflow.ingest.SentryValues.putString;
import static dev.traceflow.ingest.SentryValues.stringKeys;
import static dev.traceflow.ingest.SentryValues.tags;

/**
 * Sentry's event payloads (develop.sentry.dev "Event Payloads") as TraceFlow events, so that they go
 * through the same pipeline, queue, grouping and answers as events sent to {@code /api/collect}:
 *
 * <ul>
 *   <li>an {@code event} item becomes an {@code error} event: type, value and stack frames of its
 *       exception (the last of {@code exception.values}, the one thrown last; Sentry lists frames
 *       oldest call first, TraceFlow's stacks are V8-style, newest first, so the frames are written
 *       as a V8 stack in reverse), or its message for {@code captureMessage}; Sentry's
 *       {@code fingerprint} overrides grouping as API.md's does, {@code {{ default }}} in it standing
 *       for TraceFlow's own grouping key;</li>
 *   <li>a {@code transaction} of op {@code pageload} or {@code navigation} (the browser tracing
 *       integration's) becomes a {@code pageview} at the transaction's start, and its
 *       {@code measurements} of fcp, lcp, cls, ttfb, inp and fid a {@code performance} event, whose
 *       metrics the web-vitals answers count as samples; other transactions (server requests, custom
 *       spans) are not stored;</li>
 *   <li>a {@code session} item becomes a {@code session_update} event, and each aggregate of a
 *       {@code sessions} item one, for release health ({@code ReleaseHealthQueries}).</li>
 * </ul>
 *
 * Common fields: {@code event_id} → eventId (a retried envelope is stored once), {@code timestamp}
 * (seconds, or RFC 3339), {@code release}, {@code environment}, {@code request.url} and its
 * {@code User-Agent} and {@code Referer} headers, {@code user.id} (else {@code username}) → userId,
 * {@code tags} → properties. Level, logger, platform, contexts, breadcrumbs, extra, the SDK and the
 * user go under {@code metadata.sentry}, bounded in depth and size; the user's {@code email} and
 * {@code ip_address} are not kept (TraceFlow keeps no contact details, README "Privacy").
 */
final class SentryEvents {

    private static final Set<String> PAGE_OPS = Set.of("pageload", "navigation");
    /** Sentry measurement name → TraceFlow performance metric (API.md "performance"). */
    private static final Map<String, String> VITALS = Map.of("fcp", "fcp", "lcp", "lcp", "cls", "cls", "ttfb", "ttfb",
            "inp", "inp", "fid", "fid");

    /**
     * What {@link #error} reads of an {@code event} payload, the rest walked over unbuilt
     * ({@link JsonShape}): of the SDK its name and version, of the exceptions the one thrown last
     * and what its stack shows of its frames ({@link SentryExceptionReader}). Unread, and so never built: the
     * SDK's integrations and packages, frames' source context and variables, modules, debug images,
     * spans and the like. A field read here must be named here.
     */
    static final JsonShape ERROR_FIELDS = errorFields();

    private static JsonShape errorFields() {
        Map<String, JsonShape> event = new LinkedHashMap<>();
        for (String whole : List.of("event_id", "timestamp", "message", "logentry", "fingerprint", "level", "logger", "platform",
                "server_name", "release", "environment", "tags", "user", "contexts", "extra", "breadcrumbs")) {
            event.put(whole, JsonShape.WHOLE);
        }
        event.put("exception", JsonShape.readWith(SentryExceptionReader::read));
        event.put("request", JsonShape.fields("url", "headers"));
        event.put("sdk", JsonShape.fields("name", "version"));
        return JsonShape.fields(event);
    }

    private final String appId;
    private final String headerUserAgent;
    private final long receivedAt;
    /** How deep metadata.sentry may nest: metadata itself and the sentry object are two levels of the pipeline's limit. */
    private final int sentryDepth;
    private final SentrySessions sessions;

    /**
     * @param headerUserAgent  the request's User-Agent, for events whose request names none
     * @param receivedAt       when the request arrived, epoch ms (the time of events that give none)
     * @param maxPropertyDepth the pipeline's nesting limit of properties and metadata
     */
    SentryEvents(String appId, String headerUserAgent, long receivedAt, int maxPropertyDepth) {
        this.appId = appId;
        this.headerUserAgent = headerUserAgent;
        this.receivedAt = receivedAt;
        this.sentryDepth = Math.max(1, maxPropertyDepth - 2);
        this.sessions = new SentrySessions(appId, headerUserAgent, receivedAt);
    }

    /** An {@code event} item (or a {@code /store/} body) as one error event. */
    Event error(FieldReader f, int index, int size) {
        SentryException main = SentryException.of(f.raw().get("exception"));
        String type = null;
        String value = null;
        String stack = null;
        String filename = null;
        Integer lineno = null;
        Integer colno = null;
        if (main != null) {
            type = FieldReader.string("type", main.type());
            value = FieldReader.string("value", main.value());
            main.checkStacktrace();
            stack = main.stack(type, value);
            if (main.hasFrames()) {
                filename = main.topFile();
                lineno = main.topLine();
                colno = main.topColumn();
            }
        }
        String message = value != null ? value : message(f);
        if (message == null) {
            message = type != null ? type : "(no message)";
        }
        List<String> fingerprint = fingerprint(f.array("fingerprint"), type, message, stack);
        Map<String, Object> sentry = sentryData(f);
        if (main != null && main.mechanism() instanceof Map<?, ?> mechanism) {
            sentry.put("mechanism", bounded(mechanism, sentryDepth - 1));
        }
        return common(f, EventType.ERROR, time(f, "timestamp"), index, size, f.string("event_id"), sentry)
                .details(new EventDetails.ErrorDetails(message, stack, type, filename, lineno, colno, fingerprint))
                .build();
    }

    /**
     * A {@code transaction} item: a page view and, when it measured web vitals, a performance event;
     * nothing for other kinds of transaction.
     */
    List<Event> transaction(FieldReader f, int index, int size) {
        Map<String, Object> trace = f.object("contexts") == null ? null
                : new FieldReader(f.object("contexts")).object("trace");
        String op = trace == null ? null : new FieldReader(trace).string("op");
        if (op == null || !PAGE_OPS.contains(op)) {
            return List.of();
        }
        long start = f.has("start_timestamp") ? time(f, "start_timestamp") : time(f, "timestamp");
        String eventId = f.string("event_id");
        Map<String, Object> sentry = sentryData(f);
        sentry.put("op", op);
        putString(sentry, "transaction", f.string("transaction"));
        if (trace.get("trace_id") instanceof String traceId) {
            sentry.put("traceId", cut(traceId));
        }
        List<Event> events = new ArrayList<>(2);
        events.add(common(f, EventType.PAGEVIEW, start, index, size, eventId, sentry).build());
        Map<String, Double> metrics = measurements(f.object("measurements"));
        if (!metrics.isEmpty()) {
            // its own id: a repeated eventId is a duplicate, and the page view has the transaction's
            events.add(common(f, EventType.PERFORMANCE, start, index, size, eventId == null ? null : eventId + ":vitals", sentry)
                    .details(new EventDetails.PerformanceDetails(metrics, List.of()))
                    .build());
        }
        return events;
    }

    /** A {@code session} item as a {@code session_update} event ({@link SentrySessions#session}). */
    Event session(FieldReader f, int index, int size) {
        return sessions.session(f, index, size);
    }

    /** A {@code sessions} item as one {@code session_update} event per aggregate ({@link SentrySessions#sessionAggregates}). */
    List<Event> sessionAggregates(FieldReader f, int index, int size) {
        return sessions.sessionAggregates(f, index, size);
    }

    /**
     * A {@code span} item: how Sentry's browser SDK sends a page load since version 11 (span
     * streaming: a container {@code {"version": 2, "items": [...]}} of spans whose attributes are
     * {@code {"name": {"value", "type"}}}), and how earlier versions sent standalone web-vital spans
     * (one span object with {@code op} and {@code measurements}). A {@code pageload} or
     * {@code navigation} segment span becomes a page view; the web vitals of any span
     * ({@code browser.web_vital.<name>.value} attributes, or measurements) a performance event. Other
     * spans are not kept.
     */
    List<Event> spans(FieldReader f, int index, int size) {
        List<Event> events = new ArrayList<>();
        List<?> items = f.array("items");
        if (items == null) {
            span(toV2(f.raw()), index, size, events);
            return events;
        }
        for (Object o : items.subList(0, Math.min(items.size(), MAX_LIST * 10))) {
            if (o instanceof Map<?, ?> span) {
                span(stringKeys(span), index, size, events);
            }
        }
        return events;
    }

    private void span(Map<String, Object> span, int index, int size, List<Event> events) {
        FieldReader s = new FieldReader(span);
        Map<String, Object> attributes = attributeValues(s.object("attributes"));
        String op = attributes.get("sentry.op") instanceof String o ? o : null;
        Map<String, Double> metrics = new LinkedHashMap<>();
        VITALS.forEach((name, metric) -> {
            if (attributes.get("browser.web_vital." + name + ".value") instanceof Number n
                    && Double.isFinite(n.doubleValue()) && n.doubleValue() >= 0) {
                metrics.put(metric, n.doubleValue());
            }
        });
        boolean page = Boolean.TRUE.equals(span.get("is_segment")) && op != null && PAGE_OPS.contains(op);
        if (!page && metrics.isEmpty()) {
            return;
        }
        long start = time(s, "start_timestamp");
        String spanId = s.string("span_id");
        String traceId = s.string("trace_id");
        String eventId = spanId == null ? null : (traceId == null ? "" : traceId + ":") + spanId;
        Map<String, Object> sentry = new LinkedHashMap<>();
        putString(sentry, "op", op);
        putString(sentry, "transaction", s.string("name"));
        putString(sentry, "traceId", traceId);
        if (page) {
            events.add(spanEvent(EventType.PAGEVIEW, start, index, size, eventId, attributes, sentry).build());
        }
        if (!metrics.isEmpty()) {
            events.add(spanEvent(EventType.PERFORMANCE, start, index, size, eventId == null ? null : eventId + ":vitals",
                    attributes, sentry).details(new EventDetails.PerformanceDetails(metrics, List.of())).build());
        }
    }

    /** An event of a span, its common fields from the span's attributes (OpenTelemetry's names, as Sentry sends them). */
    private Event.Builder spanEvent(EventType type, long start, int index, int size, String eventId, Map<String, Object> attributes,
                                    Map<String, Object> sentry) {
        return Event.builder(appId, type, start)
                .index(index)
                .sizeBytes(size)
                .receivedAt(receivedAt)
                .eventId(eventId)
                .url(text(attributes, "url.full"))
                .userAgent(attributes.get("user_agent.original") instanceof String ua ? ua : headerUserAgent)
                .release(text(attributes, "sentry.release"))
                .environment(text(attributes, "sentry.environment"))
                .userId(text(attributes, "user.id"))
                .metadata(Map.of("sentry", sentry));
    }

    private static String text(Map<String, Object> attributes, String name) {
        return attributes.get(name) instanceof String s && !s.isBlank() ? cut(s) : null;
    }

    /** Span v2 attributes ({@code {"name": {"value": ..., "type": ...}}}) as plain values. */
    private static Map<String, Object> attributeValues(Map<String, Object> attributes) {
        Map<String, Object> values = new LinkedHashMap<>();
        if (attributes != null) {
            attributes.forEach((name, a) -> values.put(name, a instanceof Map<?, ?> typed ? typed.get("value") : a));
        }
        return values;
    }

    /**
     * A standalone span of SDKs before version 11 ({@code op}, {@code measurements}, {@code data},
     * {@code timestamp} as the end) in the shape of a span v2, so one reading serves both.
     */
    private static Map<String, Object> toV2(Map<String, Object> span) {
        Map<String, Object> v2 = new LinkedHashMap<>(span);
        Map<String, Object> attributes = new LinkedHashMap<>();
        if (span.get("data") instanceof Map<?, ?> data) {
            data.forEach((k, v) -> attributes.put(String.valueOf(k), Map.of("value", v == null ? "" : v)));
        }
        if (span.get("op") instanceof String op) {
            attributes.put("sentry.op", Map.of("value", op));
        }
        if (span.get("measurements") instanceof Map<?, ?> measurements) {
            measurements(stringKeys(measurements)).forEach((metric, value) ->
                    attributes.put("browser.web_vital." + metric + ".value", Map.of("value", value)));
        }
        v2.put("attributes", attributes);
        return v2;
    }

    private Event.Builder common(FieldReader f, EventType type, long timestamp, int index, int size, String eventId,
                                 Map<String, Object> sentry) {
        FieldReader request = new FieldReader(orEmpty(f.object("request")));
        Map<String, Object> headers = headers(request.raw().get("headers"));
        FieldReader user = new FieldReader(orEmpty(f.object("user")));
        String userAgent = headers.get("user-agent") instanceof String ua ? ua : headerUserAgent;
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("sentry", sentry);
        return Event.builder(appId, type, timestamp)
                .index(index)
                .sizeBytes(size)
                .receivedAt(receivedAt)
                .eventId(eventId)
                .userId(userId(user))
                .url(request.string("url"))
                .referrer(headers.get("referer") instanceof String r ? r : null)
                .userAgent(userAgent)
                .release(f.string("release"))
                .environment(f.string("environment"))
                .properties(tags(f.raw().get("tags")))
                .metadata(metadata);
    }

    /** userId, else username: the stable ids; an email is not kept at all. */
    private static String userId(FieldReader user) {
        Object id = user.raw().get("id");
        if (id instanceof Number n) {
            return n.toString();
        }
        return id instanceof String s && !s.isBlank() ? s : user.raw().get("username") instanceof String u && !u.isBlank() ? u : null;
    }

    /** What the event keeps under metadata.sentry besides the TraceFlow fields. */
    private Map<String, Object> sentryData(FieldReader f) {
        Map<String, Object> sentry = new LinkedHashMap<>();
        putString(sentry, "level", f.string("level"));
        putString(sentry, "logger", f.string("logger"));
        putString(sentry, "platform", f.string("platform"));
        putString(sentry, "serverName", f.string("server_name"));
        for (String key : List.of("contexts", "extra")) {
            if (f.raw().get(key) instanceof Map<?, ?> m && !m.isEmpty()) {
                sentry.put(key, bounded(m, sentryDepth - 1));
            }
        }
        Object breadcrumbs = f.raw().get("breadcrumbs");
        if (breadcrumbs instanceof Map<?, ?> wrapped) {
            breadcrumbs = wrapped.get("values");
        }
        if (breadcrumbs instanceof List<?> list && !list.isEmpty()) {
            // the latest ones: the SDK lists them oldest first
            sentry.put("breadcrumbs", bounded(list.subList(Math.max(0, list.size() - MAX_LIST), list.size()), sentryDepth - 1));
        }
        if (f.raw().get("user") instanceof Map<?, ?> user) {
            Map<String, Object> kept = new LinkedHashMap<>();
            user.forEach((k, v) -> {
                if (!"email".equals(k) && !"ip_address".equals(k)) {
                    kept.put(String.valueOf(k), v);
                }
            });
            if (!kept.isEmpty()) {
                sentry.put("user", bounded(kept, sentryDepth - 1));
            }
        }
        if (f.raw().get("sdk") instanceof Map<?, ?> sdk) {
            Map<String, Object> kept = new LinkedHashMap<>();
            putString(kept, "name", sdk.get("name") instanceof String s ? s : null);
            putString(kept, "version", sdk.get("version") instanceof String s ? s : null);
            sentry.put("sdk", kept);
        }
        return sentry;
    }

    /** The web vitals among Sentry's measurements, in ms (cls unitless); values in seconds are converted. */
    private static Map<String, Double> measurements(Map<String, Object> measurements) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        if (measurements == null) {
            return metrics;
        }
        measurements.forEach((name, m) -> {
            String metric = VITALS.get(name);
            if (metric == null || !(m instanceof Map<?, ?> measurement) || !(measurement.get("value") instanceof Number n)) {
                return;
            }
            double value = n.doubleValue();
            if ("second".equals(measurement.get("unit"))) {
                value *= 1000;
            }
            if (Double.isFinite(value) && value >= 0) {
                metrics.put(metric, value);
            }
        });
        return metrics;
    }

    private long time(FieldReader f, String field) {
        return SentryValues.time(f, field, receivedAt);
    }
}
