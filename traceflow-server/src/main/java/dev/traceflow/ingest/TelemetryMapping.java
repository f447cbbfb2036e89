package dev.traceflow.ingest;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Seed 001's platform telemetry: {@code {app, release, events: [{type, name, ts, props}]}}
 * mapped onto TraceFlow types. page → pageview, event → event, error → error, api → api,
 * perf → web-vital when {@code name} is a web vital (LCP, INP, CLS, FCP, TTFB, FID),
 * otherwise performance with {@code props.metrics} or {@code {name: props.value}}.
 * Well-known props ({@code sessionId, userId, anonymousId, eventId, url, referrer, title,
 * userAgent, environment}) become the event's own fields; the rest stay properties.
 */
final class TelemetryMapping {

    private static final Set<String> LIFTED = Set.of("sessionId", "userId", "anonymousId", "eventId", "url", "referrer",
            "title", "userAgent", "environment");

    private TelemetryMapping() {
    }

    static Event fromTelemetry(FieldReader f, String appId, String release, int index, int size, String headerUserAgent,
                               long receivedAt) {
        String kind = f.requiredString("type");
        String name = f.string("name");
        long ts = f.requiredTime("ts");
        Map<String, Object> props = f.object("props");
        FieldReader p = new FieldReader(props == null ? Map.of() : props);
        Map<String, Object> rest = new LinkedHashMap<>();
        if (props != null) {
            props.forEach((k, v) -> {
                if (!LIFTED.contains(k)) {
                    rest.put(k, v);
                }
            });
        }
        EventType type;
        EventDetails details;
        switch (kind) {
            case "page" -> {
                type = EventType.PAGEVIEW;
                details = EventDetails.None.INSTANCE;
            }
            case "event" -> {
                type = EventType.EVENT;
                if (name == null) {
                    throw new FieldReader.FieldError("MISSING_FIELD", "field 'name' is required for type 'event'");
                }
                details = new EventDetails.CustomEventDetails(name);
            }
            case "error" -> {
                type = EventType.ERROR;
                String message = p.string("message") != null ? p.string("message") : name;
                if (message == null) {
                    throw new FieldReader.FieldError("MISSING_FIELD", "an error needs 'name' or 'props.message'");
                }
                details = new EventDetails.ErrorDetails(message, p.string("stack"),
                        p.string("errorType"), p.string("filename"), p.integer("lineno"), p.integer("colno"), null);
            }
            case "api" -> {
                type = EventType.API;
                // as for /api/collect: an API call is only useful with its URL and duration
                String url = p.string("url") != null ? p.string("url") : name;
                if (url == null) {
                    throw new FieldReader.FieldError("MISSING_FIELD", "an api event needs 'name' or 'props.url'");
                }
                details = new EventDetails.ApiCallDetails(p.string("method"), url, p.integer("status"), p.requiredNumber("duration"));
            }
            case "perf" -> {
                if (name == null) {
                    throw new FieldReader.FieldError("MISSING_FIELD", "field 'name' is required for type 'perf'");
                }
                String upper = name.toUpperCase(Locale.ROOT);
                if (EventDetailsRules.WEB_VITALS.contains(upper)) {
                    type = EventType.WEB_VITAL;
                    double value = p.requiredNumber("value");
                    details = new EventDetails.WebVitalDetails(upper, value, p.string("rating"), p.number("delta"),
                            p.string("id"), p.string("navigationType"));
                } else {
                    type = EventType.PERFORMANCE;
                    Map<String, Object> metrics = p.object("metrics");
                    details = EventDetailsRules.performance(metrics != null ? metrics : single(name, p.requiredNumber("value")), () -> null);
                }
            }
            default -> throw new FieldReader.FieldError("UNKNOWN_TYPE", "type '" + RequestBodies.truncate(kind)
                    + "' is not one of [page, event, error, api, perf]");
        }
        String ua = p.string("userAgent");
        return Event.builder(appId, type, ts)
                .index(index)
                .sizeBytes(size)
                .receivedAt(receivedAt)
                .release(release)
                .eventId(p.string("eventId"))
                .sessionId(p.string("sessionId"))
                .userId(p.string("userId"))
                .anonymousId(p.string("anonymousId"))
                .url(p.string("url") != null ? p.string("url") : (type == EventType.PAGEVIEW ? name : null))
                .referrer(p.string("referrer"))
                .title(p.string("title"))
                .userAgent(ua != null ? ua : headerUserAgent)
                .environment(p.string("environment"))
                .properties(rest)
                .details(details)
                .build();
    }

    private static Map<String, Object> single(String name, double value) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put(name, value);
        return m;
    }
}
