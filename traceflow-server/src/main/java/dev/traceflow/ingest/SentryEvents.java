package dev.traceflow.ingest;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.processing.grouping.ErrorFingerprinter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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

    /** Sentry's placeholder for its default grouping inside a custom fingerprint. */
    private static final Set<String> DEFAULT_FINGERPRINT = Set.of("{{ default }}", "{{default}}");
    private static final Set<String> PAGE_OPS = Set.of("pageload", "navigation");
    /** Sentry measurement name → TraceFlow performance metric (API.md "performance"). */
    private static final Map<String, String> VITALS = Map.of("fcp", "fcp", "lcp", "lcp", "cls", "cls", "ttfb", "ttfb",
            "inp", "inp", "fid", "fid");
    private static final int MAX_STRING = 2048;
    private static final int MAX_LIST = 100;
    private static final int MAX_FRAMES = 250;
    private static final int MAX_AGGREGATES = 1000;

    private final String appId;
    private final String headerUserAgent;
    private final long receivedAt;
    /** How deep metadata.sentry may nest: metadata itself and the sentry object are two levels of the pipeline's limit. */
    private final int sentryDepth;

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
    }

    /** An {@code event} item (or a {@code /store/} body) as one error event. */
    Event error(FieldReader f, int index, int size) {
        List<Map<String, Object>> exceptions = exceptions(f);
        Map<String, Object> main = exceptions.isEmpty() ? null : exceptions.getLast();
        String type = null;
        String value = null;
        String stack = null;
        String filename = null;
        Integer lineno = null;
        Integer colno = null;
        if (main != null) {
            FieldReader e = new FieldReader(main);
            type = e.string("type");
            value = e.string("value");
            List<Map<String, Object>> frames = frames(e.object("stacktrace"));
            stack = v8Stack(type, value, frames);
            if (!frames.isEmpty()) {
                FieldReader top = new FieldReader(frames.getLast());
                filename = file(top);
                lineno = whole(top, "lineno");
                colno = whole(top, "colno");
            }
        }
        String message = value != null ? value : message(f);
        if (message == null) {
            message = type != null ? type : "(no message)";
        }
        List<String> fingerprint = fingerprint(f.array("fingerprint"), type, message, stack);
        Map<String, Object> sentry = sentryData(f);
        if (main != null && main.get("mechanism") instanceof Map<?, ?> mechanism) {
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

    /**
     * A {@code session} item (one run of the app: develop.sentry.dev "Sessions") as a
     * {@code session_update} event: its release and environment from {@code attrs}, its distinct id
     * as the user, and {@code sid}, {@code status}, {@code errors} and {@code init} as properties,
     * what {@code ReleaseHealthQueries} counts. Without a release it is refused: release health is
     * counted per release, and Sentry refuses such sessions too.
     */
    Event session(FieldReader f, int index, int size) {
        String sid = f.requiredString("sid");
        FieldReader attrs = attrs(f);
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("sid", cut(sid));
        String status = f.string("status");
        properties.put("status", status == null ? "ok" : cut(status));
        Integer errors = f.integer("errors");
        properties.put("errors", errors == null ? 0 : Math.max(0, errors));
        if (Boolean.TRUE.equals(f.raw().get("init"))) {
            properties.put("init", true);
        }
        if (f.raw().get("duration") instanceof Number duration && Double.isFinite(duration.doubleValue())) {
            properties.put("duration", duration.doubleValue());
        }
        long timestamp = f.has("timestamp") ? time(f, "timestamp") : f.has("started") ? time(f, "started") : receivedAt;
        // a retried envelope repeats the update: the same id makes the copy a duplicate
        Object seq = f.raw().get("seq") instanceof Number n ? n : f.raw().get("timestamp");
        return sessionUpdate(f, attrs, timestamp, index, size, seq == null ? null : cut(sid) + "/" + seq, properties,
                distinctId(f.string("did")));
    }

    /**
     * A {@code sessions} item (sessions counted by the SDK, as server SDKs send them) as one
     * {@code session_update} event per aggregate, with its counts as properties.
     */
    List<Event> sessionAggregates(FieldReader f, int index, int size) {
        FieldReader attrs = attrs(f);
        List<?> aggregates = f.array("aggregates");
        if (aggregates == null) {
            throw new FieldReader.FieldError("MISSING_FIELD", "field 'aggregates' is required");
        }
        if (aggregates.size() > MAX_AGGREGATES) {
            throw new FieldReader.FieldError("INVALID_FIELD", "at most " + MAX_AGGREGATES + " aggregates in one item");
        }
        List<Event> events = new ArrayList<>(aggregates.size());
        for (Object o : aggregates) {
            if (!(o instanceof Map<?, ?> m)) {
                throw new FieldReader.FieldError("INVALID_FIELD", "field 'aggregates' must be an array of objects");
            }
            FieldReader aggregate = new FieldReader(stringKeys(m));
            Map<String, Object> counts = new LinkedHashMap<>();
            for (String outcome : List.of("exited", "errored", "abnormal", "crashed")) {
                counts.put(outcome, count(aggregate, outcome));
            }
            // SDKs since version 11 count errors nobody caught, which did not end the app, as unhandled:
            // errored sessions, not crashes, as Sentry counts them
            counts.put("errored", (int) counts.get("errored") + count(aggregate, "unhandled"));
            events.add(sessionUpdate(f, attrs, time(aggregate, "started"), index, size, null, counts,
                    distinctId(aggregate.string("did"))));
        }
        return events;
    }

    private static int count(FieldReader aggregate, String outcome) {
        Integer n = aggregate.integer(outcome);
        return n == null ? 0 : Math.max(0, n);
    }

    private Event sessionUpdate(FieldReader f, FieldReader attrs, long timestamp, int index, int size, String eventId,
                                Map<String, Object> properties, String user) {
        String userAgent = attrs.string("user_agent");
        return Event.builder(appId, EventType.SESSION_UPDATE, timestamp)
                .index(index)
                .sizeBytes(size)
                .receivedAt(receivedAt)
                .eventId(eventId)
                .userId(user)
                .userAgent(userAgent != null ? userAgent : headerUserAgent)
                .release(attrs.requiredString("release"))
                .environment(attrs.string("environment"))
                .properties(properties)
                .build();
    }

    private static FieldReader attrs(FieldReader f) {
        Map<String, Object> attrs = f.object("attrs");
        if (attrs == null) {
            throw new FieldReader.FieldError("MISSING_FIELD", "field 'attrs' (with the release) is required");
        }
        return new FieldReader(attrs);
    }

    /**
     * Sentry's distinct id is the user's id, else their email or username: an email address is not
     * kept (TraceFlow keeps no contact details), so such a session counts for no user.
     */
    private static String distinctId(String did) {
        return did == null || did.contains("@") ? null : cut(did);
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

    /** {@code exception.values}, or the older form where {@code exception} is the list itself; objects only. */
    private static List<Map<String, Object>> exceptions(FieldReader f) {
        Object exception = f.raw().get("exception");
        if (exception instanceof Map<?, ?> m) {
            exception = m.get("values");
        }
        List<Map<String, Object>> values = new ArrayList<>();
        if (exception instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m) {
                    values.add(stringKeys(m));
                }
            }
        }
        return values;
    }

    private static List<Map<String, Object>> frames(Map<String, Object> stacktrace) {
        List<Map<String, Object>> frames = new ArrayList<>();
        if (stacktrace != null && stacktrace.get("frames") instanceof List<?> list) {
            // keep the newest frames (the end of Sentry's list) when a trace is very deep
            for (Object o : list.subList(Math.max(0, list.size() - MAX_FRAMES), list.size())) {
                if (o instanceof Map<?, ?> m) {
                    frames.add(stringKeys(m));
                }
            }
        }
        return frames;
    }

    /**
     * The frames as a V8 stack ({@code Type: value} then {@code     at function (file:line:column)},
     * newest first), the form TraceFlow's grouping and frame parser read for every browser.
     */
    static String v8Stack(String type, String value, List<Map<String, Object>> frames) {
        if (frames.isEmpty()) {
            return null;
        }
        StringBuilder stack = new StringBuilder();
        stack.append(type == null ? "Error" : type);
        if (value != null) {
            stack.append(": ").append(value.replace('\n', ' '));
        }
        for (int i = frames.size() - 1; i >= 0; i--) {
            FieldReader frame = new FieldReader(frames.get(i));
            String file = file(frame);
            if (file == null) {
                continue;
            }
            Integer line = whole(frame, "lineno");
            Integer column = whole(frame, "colno");
            String location = file + (line == null ? "" : ":" + line + (column == null ? "" : ":" + column));
            String function = frame.raw().get("function") instanceof String fn && !fn.isBlank() && !fn.equals("?") ? fn : null;
            stack.append("\n    at ").append(function == null ? location : function + " (" + location + ")");
        }
        return stack.toString();
    }

    /** A frame's file: {@code abs_path} (the full URL or path) else {@code filename}; newlines never. */
    private static String file(FieldReader frame) {
        Object path = frame.raw().get("abs_path");
        if (!(path instanceof String s) || s.isBlank()) {
            path = frame.raw().get("filename");
        }
        return path instanceof String s && !s.isBlank() ? cut(s.replace('\n', ' ')) : null;
    }

    /** A whole non-negative number of a frame, or null (a frame's numbers are hints, never a reason to refuse). */
    private static Integer whole(FieldReader frame, String field) {
        return frame.raw().get(field) instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= Integer.MAX_VALUE
                ? n.intValue() : null;
    }

    /** {@code message} (a string, or {@code {formatted, message}}), else {@code logentry}'s. */
    private static String message(FieldReader f) {
        for (String field : List.of("message", "logentry")) {
            Object m = f.raw().get(field);
            if (m instanceof String s && !s.isBlank()) {
                return s;
            }
            if (m instanceof Map<?, ?> entry) {
                for (String key : List.of("formatted", "message")) {
                    if (entry.get(key) instanceof String s && !s.isBlank()) {
                        return s;
                    }
                }
            }
        }
        return null;
    }

    /**
     * Sentry's fingerprint as TraceFlow's grouping override: its strings, with {@code {{ default }}}
     * replaced by the key TraceFlow would have grouped the event by, so {@code ["{{ default }}", "eu"]}
     * splits the default group by region as it does in Sentry. Null when absent or empty.
     */
    static List<String> fingerprint(List<?> raw, String type, String message, String stack) {
        if (raw == null || raw.isEmpty()) {
            return null;
        }
        List<String> parts = new ArrayList<>(raw.size());
        for (Object o : raw) {
            if (o instanceof String s) {
                parts.add(DEFAULT_FINGERPRINT.contains(s.strip().toLowerCase(Locale.ROOT))
                        ? ErrorFingerprinter.fingerprint(type, message, stack, null) : s);
            } else if (o instanceof Number || o instanceof Boolean) {
                parts.add(String.valueOf(o));
            } else {
                throw new FieldReader.FieldError("INVALID_FIELD", "field 'fingerprint' must be an array of strings");
            }
        }
        return parts;
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

    /** Tags as properties: an object, or Sentry's older list of [key, value] pairs; values as strings. */
    private static Map<String, Object> tags(Object tags) {
        Map<String, Object> properties = new LinkedHashMap<>();
        if (tags instanceof Map<?, ?> m) {
            m.forEach((k, v) -> putTag(properties, k, v));
        } else if (tags instanceof List<?> pairs) {
            for (Object pair : pairs) {
                if (pair instanceof List<?> kv && kv.size() == 2) {
                    putTag(properties, kv.get(0), kv.get(1));
                }
            }
        }
        return properties;
    }

    private static void putTag(Map<String, Object> properties, Object key, Object value) {
        if (key instanceof String k && !k.isBlank() && properties.size() < MAX_LIST
                && (value instanceof String || value instanceof Number || value instanceof Boolean)) {
            properties.put(cut(k), value instanceof String s ? cut(s) : value);
        }
    }

    /** Request headers by lower-case name: an object, or a list of [name, value] pairs. */
    private static Map<String, Object> headers(Object headers) {
        Map<String, Object> byName = new LinkedHashMap<>();
        if (headers instanceof Map<?, ?> m) {
            m.forEach((k, v) -> byName.put(String.valueOf(k).toLowerCase(Locale.ROOT), v));
        } else if (headers instanceof List<?> pairs) {
            for (Object pair : pairs) {
                if (pair instanceof List<?> kv && kv.size() == 2) {
                    byName.put(String.valueOf(kv.get(0)).toLowerCase(Locale.ROOT), kv.get(1));
                }
            }
        }
        return byName;
    }

    /** Seconds since the epoch (a number, Sentry's form) or an RFC 3339 string; the arrival time when absent. */
    private long time(FieldReader f, String field) {
        Object v = f.raw().get(field);
        if (v == null) {
            return receivedAt;
        }
        if (v instanceof Number n) {
            return FieldReader.epochMillis(field, n.doubleValue() * 1000);
        }
        if (v instanceof String s) {
            return FieldReader.isoTime(field, s);
        }
        throw FieldReader.notATime(field);
    }

    /**
     * A JSON-like value cut to fit: at most {@code depth} levels of objects and lists (deeper ones
     * become {@code "[...]"}), {@value #MAX_LIST} entries per object or list, {@value #MAX_STRING}
     * characters per string. Sentry payloads nest freely and the pipeline refuses metadata deeper
     * than its limit, which would drop the whole error for one deep breadcrumb.
     */
    static Object bounded(Object value, int depth) {
        // most payloads are within bounds: keep the parsed value rather than copy its tree (the
        // request owns it and nothing else changes it)
        return fits(value, depth) ? value : boundedCopy(value, depth);
    }

    /** Whether {@link #bounded} would change nothing in {@code value}. */
    private static boolean fits(Object value, int depth) {
        if (value instanceof Map<?, ?> m) {
            if (depth <= 0 || m.size() > MAX_LIST) {
                return false;
            }
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String key) || key.length() > MAX_STRING || !fits(e.getValue(), depth - 1)) {
                    return false;
                }
            }
            return true;
        }
        if (value instanceof List<?> list) {
            if (depth <= 0 || list.size() > MAX_LIST) {
                return false;
            }
            for (Object o : list) {
                if (!fits(o, depth - 1)) {
                    return false;
                }
            }
            return true;
        }
        return !(value instanceof String s) || s.length() <= MAX_STRING;
    }

    private static Object boundedCopy(Object value, int depth) {
        if (value instanceof Map<?, ?> m) {
            if (depth <= 0) {
                return "[...]";
            }
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (out.size() == MAX_LIST) {
                    break;
                }
                out.put(cut(String.valueOf(e.getKey())), bounded(e.getValue(), depth - 1));
            }
            return out;
        }
        if (value instanceof List<?> list) {
            if (depth <= 0) {
                return "[...]";
            }
            List<Object> out = new ArrayList<>(Math.min(list.size(), MAX_LIST));
            for (Object o : list.subList(0, Math.min(list.size(), MAX_LIST))) {
                out.add(bounded(o, depth - 1));
            }
            return out;
        }
        return value instanceof String s ? cut(s) : value;
    }

    private static String cut(String s) {
        return s.length() > MAX_STRING ? s.substring(0, MAX_STRING) : s;
    }

    private static void putString(Map<String, Object> target, String key, String value) {
        if (value != null && !value.isBlank()) {
            target.put(key, cut(value));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> stringKeys(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    private static Map<String, Object> orEmpty(Map<String, Object> m) {
        return m == null ? Map.of() : m;
    }
}
