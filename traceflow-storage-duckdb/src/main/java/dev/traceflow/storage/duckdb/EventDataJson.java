package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the JSON columns: {@code data}, the event's fields that have no column of their own, as one
 * JSON object whose keys are absent when the value is (see schema/V1__events.sql for the keys), and
 * {@code properties}. One instance serves one batch on one thread and writes every value into one
 * reused buffer ({@link JsonText}), handed to the sink before the next value is written.
 */
final class EventDataJson {

    private static final byte[] URL = JsonText.fieldName("url");
    private static final byte[] REFERRER = JsonText.fieldName("referrer");
    private static final byte[] TITLE = JsonText.fieldName("title");
    private static final byte[] USER_AGENT = JsonText.fieldName("userAgent");
    private static final byte[] BROWSER_VERSION = JsonText.fieldName("browserVersion");
    private static final byte[] OS_VERSION = JsonText.fieldName("osVersion");
    private static final byte[] UTM_SOURCE = JsonText.fieldName("utmSource");
    private static final byte[] UTM_MEDIUM = JsonText.fieldName("utmMedium");
    private static final byte[] UTM_CAMPAIGN = JsonText.fieldName("utmCampaign");
    private static final byte[] RECEIVED_AT = JsonText.fieldName("receivedAt");
    private static final byte[] METADATA = JsonText.fieldName("metadata");
    private static final byte[] MESSAGE = JsonText.fieldName("message");
    private static final byte[] ERROR_TYPE = JsonText.fieldName("errorType");
    private static final byte[] STACK = JsonText.fieldName("stack");
    private static final byte[] FILENAME = JsonText.fieldName("filename");
    private static final byte[] LINENO = JsonText.fieldName("lineno");
    private static final byte[] COLNO = JsonText.fieldName("colno");
    private static final byte[] CLIENT_FINGERPRINT = JsonText.fieldName("clientFingerprint");
    private static final byte[] RATING = JsonText.fieldName("rating");
    private static final byte[] DELTA = JsonText.fieldName("delta");
    private static final byte[] METRIC_ID = JsonText.fieldName("metricId");
    private static final byte[] NAVIGATION_TYPE = JsonText.fieldName("navigationType");
    private static final byte[] INITIATOR_TYPE = JsonText.fieldName("initiatorType");
    private static final byte[] START_TIME = JsonText.fieldName("startTime");
    private static final byte[] TRANSFER_SIZE = JsonText.fieldName("transferSize");
    private static final byte[] X = JsonText.fieldName("x");
    private static final byte[] Y = JsonText.fieldName("y");
    private static final byte[] VIEWPORT_WIDTH = JsonText.fieldName("viewportWidth");
    private static final byte[] VIEWPORT_HEIGHT = JsonText.fieldName("viewportHeight");
    private static final byte[] SELECTOR = JsonText.fieldName("selector");
    private static final byte[] METHOD = JsonText.fieldName("method");
    private static final byte[] STATUS = JsonText.fieldName("status");
    private static final byte[] METRICS = JsonText.fieldName("metrics");
    private static final byte[] RESOURCES = JsonText.fieldName("resources");

    private final JsonText out = new JsonText();
    /**
     * The last user agent and its JSON text: the events of a batch nearly always share one, and
     * at ~130 characters it was the longest string written per event.
     */
    private String lastUserAgent;
    private byte[] lastUserAgentJson;

    /** Receives one value's UTF-8 bytes, valid only during the call. */
    interface Sink {
        void accept(byte[] bytes, int length);
    }

    /** Writes a map/list of JSON-like values as JSON; for null or empty writes nothing and returns false. */
    boolean json(Object value, Sink sink) {
        if (value == null || (value instanceof Map<?, ?> m && m.isEmpty()) || (value instanceof List<?> l && l.isEmpty())) {
            return false;
        }
        out.reset();
        out.value(value);
        sink.accept(out.bytes(), out.length());
        return true;
    }

    void data(Event e, Sink sink) {
        out.reset();
        out.startObject();
        out.stringField(URL, e.url());
        out.stringField(REFERRER, e.referrer());
        out.stringField(TITLE, e.title());
        userAgent(e.userAgent());
        out.stringField(BROWSER_VERSION, e.browserVersion());
        out.stringField(OS_VERSION, e.osVersion());
        out.stringField(UTM_SOURCE, e.utmSource());
        out.stringField(UTM_MEDIUM, e.utmMedium());
        out.stringField(UTM_CAMPAIGN, e.utmCampaign());
        out.longField(RECEIVED_AT, e.receivedAt());
        if (!e.metadata().isEmpty()) {
            out.valueField(METADATA, e.metadata());
        }
        details(e.details());
        out.endObject();
        sink.accept(out.bytes(), out.length());
    }

    private void userAgent(String userAgent) {
        if (userAgent == null) {
            return;
        }
        if (!userAgent.equals(lastUserAgent)) {
            lastUserAgent = userAgent;
            lastUserAgentJson = JsonText.stringJson(userAgent);
        }
        out.rawField(USER_AGENT, lastUserAgentJson);
    }

    private void details(EventDetails d) {
        switch (d) {
            case EventDetails.ErrorDetails err -> {
                out.stringField(MESSAGE, err.message());
                out.stringField(ERROR_TYPE, err.errorType());
                out.stringField(STACK, err.stack());
                out.stringField(FILENAME, err.filename());
                out.valueField(LINENO, err.lineno());
                out.valueField(COLNO, err.colno());
                out.valueField(CLIENT_FINGERPRINT, err.fingerprint());
            }
            case EventDetails.WebVitalDetails w -> {
                out.stringField(RATING, w.rating());
                out.valueField(DELTA, w.delta());
                out.stringField(METRIC_ID, w.id());
                out.stringField(NAVIGATION_TYPE, w.navigationType());
            }
            case EventDetails.ResourceDetails r -> {
                out.stringField(INITIATOR_TYPE, r.timing().initiatorType());
                out.valueField(START_TIME, r.timing().startTime());
                out.valueField(TRANSFER_SIZE, r.timing().transferSize());
            }
            case EventDetails.ClickDetails c -> {
                out.doubleField(X, c.x());
                out.doubleField(Y, c.y());
                out.longField(VIEWPORT_WIDTH, c.viewportWidth());
                out.longField(VIEWPORT_HEIGHT, c.viewportHeight());
                out.stringField(SELECTOR, c.selector());
            }
            case EventDetails.ApiCallDetails api -> {
                out.stringField(METHOD, api.method());
                out.valueField(STATUS, api.status());
            }
            case EventDetails.PerformanceDetails p -> {
                if (p.metrics() != null && !p.metrics().isEmpty()) {
                    out.valueField(METRICS, p.metrics());
                }
                if (p.resources() != null && !p.resources().isEmpty()) {
                    out.valueField(RESOURCES, resources(p.resources()));
                }
            }
            case EventDetails.CustomEventDetails ignored -> {
            }
            case EventDetails.None ignored -> {
            }
        }
    }

    /** Resource timings as the objects they were stored as so far (every field, null included). */
    private static List<Map<String, Object>> resources(List<EventDetails.ResourceTiming> timings) {
        List<Map<String, Object>> list = new ArrayList<>(timings.size());
        for (EventDetails.ResourceTiming t : timings) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", t.name());
            m.put("initiatorType", t.initiatorType());
            m.put("startTime", t.startTime());
            m.put("duration", t.duration());
            m.put("transferSize", t.transferSize());
            list.add(m);
        }
        return list;
    }
}
