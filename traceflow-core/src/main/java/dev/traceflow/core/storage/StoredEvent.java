package dev.traceflow.core.storage;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An event as a reader sees it again in a session's timeline: the common fields, the type's own
 * fields under the names clients send them (API.md "Ingest"), and the custom properties. Every
 * backend builds it through {@link #of(EventType, long, String, String, String, String, String,
 * EventDetails, Map)} from the typed details, so all backends answer the same map for the same event.
 *
 * <p>{@code fields} by type (keys whose value is absent are left out):
 * <ul>
 *   <li>{@code error}: message, errorType, stack, filename, lineno, colno, fingerprint (the
 *       client's list, not the group key);</li>
 *   <li>{@code performance}: metrics ({@code {fcp: ms...}}), resources
 *       ({@code [{name, initiatorType, startTime, duration, transferSize}]});</li>
 *   <li>{@code web-vital}: name, value, rating, delta, id, navigationType;</li>
 *   <li>{@code resource}: name, initiatorType, startTime, duration, transferSize;</li>
 *   <li>{@code click}: x, y, viewportWidth, viewportHeight, selector;</li>
 *   <li>{@code event}: name;</li>
 *   <li>{@code api}: name (the called URL), method, status, duration;</li>
 *   <li>other types: none.</li>
 * </ul>
 * Values are JSON-like: String, Boolean, Long (whole numbers sent as such), Double, List, Map; a
 * {@code double} field of a type ({@code x}, {@code value}, {@code duration}...) is always a Double.
 *
 * @param timestamp  when the event happened on the client, epoch ms
 * @param eventId    the client's id, or null
 * @param path       the URL's path without query, or null
 * @param properties the client's custom properties, never null
 */
public record StoredEvent(EventType type, long timestamp, String eventId, String path, String url, String title,
                          String referrer, Map<String, Object> fields, Map<String, Object> properties) {

    public StoredEvent {
        Objects.requireNonNull(type, "type");
        fields = fields == null ? Map.of() : fields;
        properties = properties == null ? Map.of() : properties;
    }

    /** The view of an event as the pipeline built it (the reference backend keeps these). */
    public static StoredEvent of(Event e) {
        return of(e.type(), e.timestamp(), e.eventId(), e.path(), e.url(), e.title(), e.referrer(), e.details(),
                e.properties());
    }

    /**
     * The view of an event from its parts, as a backend reads them back.
     *
     * @param properties JSON-like values (numbers of any boxed type); normalised as the class says
     */
    public static StoredEvent of(EventType type, long timestamp, String eventId, String path, String url, String title,
                                 String referrer, EventDetails details, Map<String, Object> properties) {
        Map<String, Object> props = new LinkedHashMap<>();
        if (properties != null) {
            properties.forEach((k, v) -> props.put(k, jsonLike(v)));
        }
        return new StoredEvent(type, timestamp, eventId, path, url, title, referrer, fields(details), props);
    }

    private static Map<String, Object> fields(EventDetails details) {
        Map<String, Object> f = new LinkedHashMap<>();
        switch (details) {
            case EventDetails.ErrorDetails err -> {
                put(f, "message", err.message());
                put(f, "errorType", err.errorType());
                put(f, "stack", err.stack());
                put(f, "filename", err.filename());
                put(f, "lineno", err.lineno());
                put(f, "colno", err.colno());
                put(f, "fingerprint", err.fingerprint());
            }
            case EventDetails.PerformanceDetails p -> {
                if (p.metrics() != null && !p.metrics().isEmpty()) {
                    put(f, "metrics", p.metrics());
                }
                if (p.resources() != null && !p.resources().isEmpty()) {
                    List<Object> resources = new ArrayList<>();
                    for (EventDetails.ResourceTiming t : p.resources()) {
                        resources.add(timing(new LinkedHashMap<>(), t));
                    }
                    f.put("resources", resources);
                }
            }
            case EventDetails.WebVitalDetails w -> {
                put(f, "name", w.name());
                put(f, "value", w.value());
                put(f, "rating", w.rating());
                put(f, "delta", w.delta());
                put(f, "id", w.id());
                put(f, "navigationType", w.navigationType());
            }
            case EventDetails.ResourceDetails r -> timing(f, r.timing());
            case EventDetails.ClickDetails c -> {
                put(f, "x", c.x());
                put(f, "y", c.y());
                put(f, "viewportWidth", c.viewportWidth());
                put(f, "viewportHeight", c.viewportHeight());
                put(f, "selector", c.selector());
            }
            case EventDetails.CustomEventDetails c -> put(f, "name", c.name());
            case EventDetails.ApiCallDetails api -> {
                put(f, "name", api.url());
                put(f, "method", api.method());
                put(f, "status", api.status());
                put(f, "duration", api.duration());
            }
            case EventDetails.None ignored -> {
            }
            case null -> {
            }
        }
        return f;
    }

    private static Map<String, Object> timing(Map<String, Object> f, EventDetails.ResourceTiming t) {
        put(f, "name", t.name());
        put(f, "initiatorType", t.initiatorType());
        put(f, "startTime", t.startTime());
        put(f, "duration", t.duration());
        put(f, "transferSize", t.transferSize());
        return f;
    }

    private static void put(Map<String, Object> f, String key, Object value) {
        if (value != null) {
            f.put(key, jsonLike(value));
        }
    }

    /**
     * A JSON-like value with numbers made comparable across backends: whole-number types become
     * Long, Float and BigDecimal become Double (a BigInteger beyond long too); maps and lists are
     * copied with their values normalised.
     */
    public static Object jsonLike(Object v) {
        return switch (v) {
            case null -> null;
            case Integer i -> i.longValue();
            case Short s -> s.longValue();
            case Byte b -> b.longValue();
            case Float x -> x.doubleValue();
            case BigDecimal d -> d.doubleValue();
            case BigInteger b -> b.bitLength() < 64 ? (Object) b.longValue() : (Object) b.doubleValue();
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                m.forEach((k, x) -> out.put(String.valueOf(k), jsonLike(x)));
                yield out;
            }
            case Collection<?> c -> {
                List<Object> out = new ArrayList<>(c.size());
                c.forEach(x -> out.add(jsonLike(x)));
                yield out;
            }
            default -> v;
        };
    }
}
