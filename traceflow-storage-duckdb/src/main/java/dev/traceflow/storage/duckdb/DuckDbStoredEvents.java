package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.storage.StorageException;
import dev.traceflow.core.storage.StoredEvent;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Events read back from their row as {@link StoredEvent}s: the inverse of {@link DuckDbRows} and
 * {@link EventDataJson}. The typed details are rebuilt from the columns and the {@code data} JSON,
 * then {@link StoredEvent#of} makes the view every backend shares.
 */
final class DuckDbStoredEvents {

    /** The columns {@link #read} expects, in order; {@code e} is the events table's alias. */
    static final String COLUMNS = "e.type, e.ts, e.event_id, e.path, e.name, e.value, e.kind, e.metric_id, e.properties, e.data";

    private DuckDbStoredEvents() {
    }

    /** Reads a row of {@link #COLUMNS} starting at column {@code first}. */
    static StoredEvent read(ResultSet rs, int first) throws SQLException {
        int c = first;
        EventType type = EventType.fromWireName(rs.getString(c));
        if (type == null) {
            throw new StorageException("a stored event has an unknown type: " + rs.getString(c));
        }
        long ts = DuckDbReads.instant(rs, c + 1).toEpochMilli();
        String name = rs.getString(c + 4);
        Double value = DuckDbReads.nullableDouble(rs, c + 5);
        String kind = rs.getString(c + 6);
        String metricId = rs.getString(c + 7);
        Map<String, Object> properties = JsonReader.object(rs.getString(c + 8));
        Map<String, Object> data = JsonReader.object(rs.getString(c + 9));
        EventDetails details = details(type, name, value, kind, metricId, data);
        return StoredEvent.of(type, ts, rs.getString(c + 2), rs.getString(c + 3), text(data, "url"), text(data, "title"),
                text(data, "referrer"), details, properties);
    }

    private static EventDetails details(EventType type, String name, Double value, String kind, String metricId,
                                        Map<String, Object> data) {
        return switch (type) {
            case ERROR -> new EventDetails.ErrorDetails(text(data, "message"), text(data, "stack"),
                    kind != null ? kind : text(data, "errorType"), text(data, "filename"), integer(data, "lineno"),
                    integer(data, "colno"), texts(data.get("clientFingerprint")));
            case PERFORMANCE -> new EventDetails.PerformanceDetails(metrics(data.get("metrics")), resources(data.get("resources")));
            case WEB_VITAL -> new EventDetails.WebVitalDetails(name, value == null ? 0 : value, text(data, "rating"),
                    number(data, "delta"), metricId != null ? metricId : text(data, "metricId"), text(data, "navigationType"));
            case RESOURCE -> new EventDetails.ResourceDetails(new EventDetails.ResourceTiming(name,
                    kind != null ? kind : text(data, "initiatorType"), number(data, "startTime"), value == null ? 0 : value,
                    number(data, "transferSize")));
            case CLICK -> new EventDetails.ClickDetails(orZero(number(data, "x")), orZero(number(data, "y")),
                    orZero(integer(data, "viewportWidth")), orZero(integer(data, "viewportHeight")), text(data, "selector"));
            case EVENT -> new EventDetails.CustomEventDetails(name);
            case API -> new EventDetails.ApiCallDetails(text(data, "method"), name, integer(data, "status"), value);
            case PAGEVIEW, SESSION_START, SESSION_END, CONVERSION, PURCHASE, SESSION_UPDATE -> EventDetails.None.INSTANCE;
        };
    }

    private static String text(Map<String, Object> m, String key) {
        return m.get(key) instanceof String s ? s : null;
    }

    private static Double number(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.doubleValue() : null;
    }

    private static Integer integer(Map<String, Object> m, String key) {
        return m.get(key) instanceof Number n ? n.intValue() : null;
    }

    private static double orZero(Double d) {
        return d == null ? 0 : d;
    }

    private static int orZero(Integer i) {
        return i == null ? 0 : i;
    }

    private static List<String> texts(Object list) {
        if (!(list instanceof List<?> l)) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Object o : l) {
            out.add(o == null ? null : String.valueOf(o));
        }
        return out;
    }

    private static Map<String, Double> metrics(Object map) {
        if (!(map instanceof Map<?, ?> m)) {
            return null;
        }
        Map<String, Double> out = new LinkedHashMap<>();
        m.forEach((k, v) -> {
            if (v instanceof Number n) {
                out.put(String.valueOf(k), n.doubleValue());
            }
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<EventDetails.ResourceTiming> resources(Object list) {
        if (!(list instanceof List<?> l)) {
            return null;
        }
        List<EventDetails.ResourceTiming> out = new ArrayList<>();
        for (Object o : l) {
            if (o instanceof Map<?, ?> m) {
                Map<String, Object> r = (Map<String, Object>) m;
                out.add(new EventDetails.ResourceTiming(text(r, "name"), text(r, "initiatorType"), number(r, "startTime"),
                        orZero(number(r, "duration")), number(r, "transferSize")));
            }
        }
        return out;
    }
}
