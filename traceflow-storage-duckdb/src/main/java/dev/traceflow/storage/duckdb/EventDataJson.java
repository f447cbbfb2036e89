package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.io.SegmentedStringWriter;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.Map;

/**
 * Writes the {@code data} column: the event's fields that have no column of their own, as one
 * JSON object whose keys are absent when the value is (see schema/V1__events.sql for the keys).
 */
final class EventDataJson {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private EventDataJson() {
    }

    /** A JSON object or array of a map/list of JSON-like values; null for null or empty. */
    static String json(Object value) {
        if (value == null || (value instanceof Map<?, ?> m && m.isEmpty()) || (value instanceof List<?> l && l.isEmpty())) {
            return null;
        }
        return JSON.writeValueAsString(value);
    }

    static String data(Event e) {
        SegmentedStringWriter out = new SegmentedStringWriter(JSON.tokenStreamFactory()._getBufferRecycler());
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            string(g, "url", e.url());
            string(g, "referrer", e.referrer());
            string(g, "title", e.title());
            string(g, "userAgent", e.userAgent());
            string(g, "browserVersion", e.browserVersion());
            string(g, "osVersion", e.osVersion());
            string(g, "utmSource", e.utmSource());
            string(g, "utmMedium", e.utmMedium());
            string(g, "utmCampaign", e.utmCampaign());
            g.writeNumberProperty("receivedAt", e.receivedAt());
            if (!e.metadata().isEmpty()) {
                g.writePOJOProperty("metadata", e.metadata());
            }
            details(g, e.details());
            g.writeEndObject();
        }
        return out.getAndClear();
    }

    private static void details(JsonGenerator g, EventDetails d) {
        switch (d) {
            case EventDetails.ErrorDetails err -> {
                string(g, "message", err.message());
                string(g, "errorType", err.errorType());
                string(g, "stack", err.stack());
                string(g, "filename", err.filename());
                number(g, "lineno", err.lineno());
                number(g, "colno", err.colno());
                if (err.fingerprint() != null) {
                    g.writePOJOProperty("clientFingerprint", err.fingerprint());
                }
            }
            case EventDetails.WebVitalDetails w -> {
                string(g, "rating", w.rating());
                number(g, "delta", w.delta());
                string(g, "metricId", w.id());
                string(g, "navigationType", w.navigationType());
            }
            case EventDetails.ResourceDetails r -> {
                string(g, "initiatorType", r.timing().initiatorType());
                number(g, "startTime", r.timing().startTime());
                number(g, "transferSize", r.timing().transferSize());
            }
            case EventDetails.ClickDetails c -> {
                g.writeNumberProperty("x", c.x());
                g.writeNumberProperty("y", c.y());
                g.writeNumberProperty("viewportWidth", c.viewportWidth());
                g.writeNumberProperty("viewportHeight", c.viewportHeight());
                string(g, "selector", c.selector());
            }
            case EventDetails.ApiCallDetails api -> {
                string(g, "method", api.method());
                number(g, "status", api.status());
            }
            case EventDetails.PerformanceDetails p -> {
                if (p.metrics() != null && !p.metrics().isEmpty()) {
                    g.writePOJOProperty("metrics", p.metrics());
                }
                if (p.resources() != null && !p.resources().isEmpty()) {
                    g.writePOJOProperty("resources", p.resources());
                }
            }
            case EventDetails.CustomEventDetails ignored -> {
            }
            case EventDetails.None ignored -> {
            }
        }
    }

    private static void string(JsonGenerator g, String name, String value) {
        if (value != null) {
            g.writeStringProperty(name, value);
        }
    }

    private static void number(JsonGenerator g, String name, Number value) {
        if (value instanceof Integer i) {
            g.writeNumberProperty(name, i);
        } else if (value != null) {
            g.writeNumberProperty(name, value.doubleValue());
        }
    }
}
