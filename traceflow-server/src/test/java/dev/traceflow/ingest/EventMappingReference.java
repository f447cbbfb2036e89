package dev.traceflow.ingest;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The map-based mapping {@code /api/collect} used before {@link CollectEventReader}, kept unchanged
 * (but for its name) as the reference {@link CollectEventReaderTest} holds the reader to: builds an
 * {@link Event} from a TraceFlow event object read by {@link IngestJson#readObject}, common fields,
 * then the type's own fields. Unknown fields are ignored, as SDKs add fields over time.
 */
final class EventMappingReference {

    static final Set<String> PERFORMANCE_METRICS = Set.of("fcp", "lcp", "fid", "inp", "cls", "ttfb", "domLoad", "load");
    static final Set<String> WEB_VITALS = Set.of("LCP", "INP", "CLS", "FCP", "TTFB", "FID");

    private EventMappingReference() {
    }

    /**
     * @param headerUserAgent the request's User-Agent, used when the event has none
     * @throws FieldReader.FieldError when a field is missing or has the wrong type
     */
    static Event fromCollect(FieldReader f, int index, int size, String headerUserAgent, long receivedAt) {
        String appId = f.requiredString("appId");
        String typeName = f.requiredString("type");
        EventType type = EventType.fromWireName(typeName);
        if (type == null) {
            throw new FieldReader.FieldError("UNKNOWN_TYPE", "type '" + RequestBodies.truncate(typeName) + "' is not one of "
                    + java.util.Arrays.stream(EventType.values()).map(EventType::wireName).toList());
        }
        long timestamp = f.requiredTime("timestamp");
        String userAgent = f.string("userAgent");
        return Event.builder(appId, type, timestamp)
                .index(index)
                .sizeBytes(size)
                .receivedAt(receivedAt)
                .eventId(f.string("eventId"))
                .sessionId(f.string("sessionId"))
                .userId(f.string("userId"))
                .anonymousId(f.string("anonymousId"))
                .url(f.string("url"))
                .referrer(f.string("referrer"))
                .title(f.string("title"))
                .userAgent(userAgent != null ? userAgent : headerUserAgent)
                .release(f.string("release"))
                .environment(f.string("environment"))
                .properties(f.object("properties"))
                .metadata(f.object("metadata"))
                .details(details(type, f))
                .build();
    }

    static EventDetails details(EventType type, FieldReader f) {
        return switch (type) {
            case ERROR -> new EventDetails.ErrorDetails(f.requiredString("message"), f.string("stack"), f.string("errorType"),
                    f.string("filename"), f.integer("lineno"), f.integer("colno"), fingerprint(f));
            case PERFORMANCE -> performance(f);
            case WEB_VITAL -> webVital(f);
            case RESOURCE -> new EventDetails.ResourceDetails(new EventDetails.ResourceTiming(f.requiredString("name"),
                    f.requiredString("initiatorType"), f.number("startTime"), f.requiredNumber("duration"), f.number("transferSize")));
            case CLICK -> {
                int width = positive(f, "viewportWidth");
                int height = positive(f, "viewportHeight");
                yield new EventDetails.ClickDetails(f.requiredNumber("x"), f.requiredNumber("y"), width, height, f.string("selector"));
            }
            case EVENT -> new EventDetails.CustomEventDetails(f.requiredString("name"));
            case API -> api(f.object("properties"));
            case SESSION_UPDATE -> {
                f.requiredString("release");
                yield EventDetails.None.INSTANCE;
            }
            case PAGEVIEW, SESSION_START, SESSION_END, CONVERSION, PURCHASE -> {
                Map<String, Object> props = f.object("properties");
                if (props != null && props.get("revenue") != null && !(props.get("revenue") instanceof Number)) {
                    throw new FieldReader.FieldError("INVALID_FIELD", "field 'properties.revenue' must be a number");
                }
                yield EventDetails.None.INSTANCE;
            }
        };
    }

    private static int positive(FieldReader f, String field) {
        Integer v = f.integer(field);
        if (v == null) {
            throw new FieldReader.FieldError("MISSING_FIELD", "field '" + field + "' is required");
        }
        if (v <= 0) {
            throw new FieldReader.FieldError("INVALID_FIELD", "field '" + field + "' must be positive");
        }
        return v;
    }

    private static List<String> fingerprint(FieldReader f) {
        List<?> raw = f.array("fingerprint");
        if (raw == null) {
            return null;
        }
        List<String> parts = new ArrayList<>(raw.size());
        for (Object o : raw) {
            if (!(o instanceof String s)) {
                throw new FieldReader.FieldError("INVALID_FIELD", "field 'fingerprint' must be an array of strings");
            }
            parts.add(s);
        }
        return parts.isEmpty() ? null : parts;
    }

    private static EventDetails performance(FieldReader f) {
        Map<String, Object> metrics = f.object("metrics");
        if (metrics == null || metrics.isEmpty()) {
            throw new FieldReader.FieldError("MISSING_FIELD", "field 'metrics' is required and must hold at least one of " + PERFORMANCE_METRICS);
        }
        Map<String, Double> values = new LinkedHashMap<>();
        for (Map.Entry<String, Object> m : metrics.entrySet()) {
            if (!PERFORMANCE_METRICS.contains(m.getKey())) {
                throw new FieldReader.FieldError("INVALID_FIELD", "metrics." + RequestBodies.truncate(m.getKey())
                        + " is not one of " + PERFORMANCE_METRICS);
            }
            if (m.getValue() == null) {
                continue;
            }
            if (!(m.getValue() instanceof Number n) || n.doubleValue() < 0 || Double.isNaN(n.doubleValue())
                    || Double.isInfinite(n.doubleValue())) {
                throw new FieldReader.FieldError("INVALID_FIELD", "metrics." + m.getKey() + " must be a non-negative number");
            }
            values.put(m.getKey(), n.doubleValue());
        }
        List<EventDetails.ResourceTiming> resources = new ArrayList<>();
        List<?> raw = f.array("resources");
        if (raw != null) {
            for (Object o : raw) {
                if (!(o instanceof Map<?, ?> m)) {
                    throw new FieldReader.FieldError("INVALID_FIELD", "field 'resources' must be an array of objects");
                }
                @SuppressWarnings("unchecked")
                FieldReader r = new FieldReader((Map<String, Object>) m);
                try {
                    resources.add(new EventDetails.ResourceTiming(r.requiredString("name"), r.requiredString("initiatorType"),
                            r.number("startTime"), r.requiredNumber("duration"), r.number("transferSize")));
                } catch (FieldReader.FieldError e) {
                    throw new FieldReader.FieldError(e.code(), "resources[]: " + e.getMessage());
                }
            }
        }
        return new EventDetails.PerformanceDetails(values, resources);
    }

    private static EventDetails webVital(FieldReader f) {
        String name = f.requiredString("name");
        if (!WEB_VITALS.contains(name)) {
            throw new FieldReader.FieldError("INVALID_FIELD", "web-vital name must be one of " + WEB_VITALS);
        }
        double value = f.requiredNumber("value");
        if (value < 0) {
            throw new FieldReader.FieldError("INVALID_FIELD", "field 'value' must not be negative");
        }
        return new EventDetails.WebVitalDetails(name, value, f.string("rating"), f.number("delta"), f.requiredString("id"),
                f.string("navigationType"));
    }

    /**
     * An API call needs what the "slowest / failing endpoints" questions read: its URL and duration.
     * Method and status stay optional, as a request that failed at the network level has no status.
     */
    private static EventDetails api(Map<String, Object> props) {
        if (props == null) {
            throw new FieldReader.FieldError("MISSING_FIELD", "field 'properties' is required (with url and duration)");
        }
        FieldReader p = new FieldReader(props);
        try {
            return new EventDetails.ApiCallDetails(p.string("method"), p.requiredString("url"), p.integer("status"),
                    p.requiredNumber("duration"));
        } catch (FieldReader.FieldError e) {
            throw new FieldReader.FieldError(e.code(), "properties: " + e.getMessage());
        }
    }
}
