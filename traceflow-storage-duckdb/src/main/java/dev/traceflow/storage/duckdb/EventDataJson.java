package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;

import java.util.List;
import java.util.Map;

/**
 * Writes the JSON columns: {@code data}, the event's fields that have no column of their own, as one
 * JSON object whose keys are absent when the value is (see schema/V1__events.sql for the keys), and
 * {@code properties}. One instance serves one batch on one thread: a single generator writes every
 * value as UTF-8 into a reused buffer, which measured cheaper than a generator, a String and its
 * UTF-8 copy per value (generator set-up was ~5 % of the server's CPU under load).
 */
final class EventDataJson implements AutoCloseable {

    // root values written back to back, each taken out of the buffer before the next is written
    private static final JsonMapper JSON = JsonMapper.builder(JsonFactory.builder().rootValueSeparator((String) null).build())
            .build();

    /** A ByteArrayOutputStream whose bytes can be read without copying them first. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(1024);
        }

        byte[] bytes() {
            return buf;
        }
    }

    private final Buffer buffer = new Buffer();
    private final JsonGenerator g = JSON.createGenerator(buffer);

    /** Receives one value's UTF-8 bytes, valid only during the call. */
    interface Sink {
        void accept(byte[] bytes, int length);
    }

    /** Writes a map/list of JSON-like values as JSON; for null or empty writes nothing and returns false. */
    boolean json(Object value, Sink sink) {
        if (value == null || (value instanceof Map<?, ?> m && m.isEmpty()) || (value instanceof List<?> l && l.isEmpty())) {
            return false;
        }
        g.writePOJO(value);
        take(sink);
        return true;
    }

    void data(Event e, Sink sink) {
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
        take(sink);
    }

    private void take(Sink sink) {
        g.flush();
        sink.accept(buffer.bytes(), buffer.size());
        buffer.reset();
    }

    @Override
    public void close() {
        g.close();
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
