package dev.traceflow.storage.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventDetails.ResourceTiming;
import dev.traceflow.core.event.EventType;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads journal records of format 1, written by builds up to 2026-11-28 (a37ae83): the events of
 * a request as rows of DuckDB's {@code events} table (columns in table order, the fields without a
 * column of their own in the {@code data} JSON). Kept so that events acknowledged by such a build
 * and not yet stored when it stopped are stored by this one, into whichever backend is configured.
 * Nothing writes this format any more.
 *
 * <p>The byte reading repeats what {@code DuckDbRows} did in a37ae83 on purpose: this reader is
 * frozen with the format, while DuckDB's in-memory rows are free to change.
 *
 * <p>What the rows did not keep cannot come back: an event's size in bytes (0) and its bot flag
 * (bots were dropped before storage unless configured otherwise).
 */
final class JournalFormatV1 {

    static final byte FORMAT = 1;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private JournalFormatV1() {
    }

    /** @throws IllegalArgumentException when the bytes are not a whole format-1 batch */
    static List<Event> decode(byte[] batch) {
        try {
            return new Rows(batch).events();
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("a format-1 batch is cut short", e);
        }
    }

    private static final class Rows {
        private final byte[] buf;
        private int pos;

        Rows(byte[] buf) {
            this.buf = buf;
        }

        List<Event> events() {
            if (buf.length < 5 || buf[pos++] != FORMAT) {
                throw new IllegalArgumentException("not journal event format " + FORMAT);
            }
            int n = readInt();
            if (n < 0 || (long) n * 8 > buf.length - 5) {
                throw new IllegalArgumentException("a format-1 batch is corrupt (row count " + n + ")");
            }
            pos += 8 * n; // the de-duplication keys: the backend computes its own
            List<Event> events = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                events.add(row());
            }
            if (pos != buf.length) {
                throw new IllegalArgumentException("a format-1 batch has " + (buf.length - pos) + " bytes after its rows");
            }
            return events;
        }

        private Event row() {
            String appId = string();
            String typeName = string();
            EventType type = EventType.fromWireName(typeName);
            if (appId == null || type == null) {
                throw new IllegalArgumentException("a format-1 row has no app or an unknown type '" + typeName + "'");
            }
            long timestamp = Math.floorDiv(readLong(), 1000);
            String eventId = string();
            String sessionId = string();
            String userId = string();
            String anonymousId = string();
            String path = string();
            String name = string();
            Double value = buf[pos++] != 0 ? Double.longBitsToDouble(readLong()) : null;
            String fingerprint = string();
            String release = string();
            String environment = string();
            String browser = string();
            String os = string();
            String deviceType = string();
            String country = string();
            String trafficSource = string();
            Map<String, Object> properties = json(string());
            Map<String, Object> data = json(string());
            if (data == null) {
                data = Map.of();
            }
            Event e = Event.builder(appId, type, timestamp)
                    .eventId(eventId)
                    .sessionId(sessionId)
                    .userId(userId)
                    .anonymousId(anonymousId)
                    .url(text(data, "url"))
                    .referrer(text(data, "referrer"))
                    .title(text(data, "title"))
                    .userAgent(text(data, "userAgent"))
                    .release(release)
                    .environment(environment)
                    .properties(properties)
                    .metadata(object(data.get("metadata")))
                    .details(details(type, name, value, data))
                    .receivedAt(data.get("receivedAt") instanceof Number n ? n.longValue() : 0)
                    .country(country)
                    .build();
            e.path(path);
            e.utm(text(data, "utmSource"), text(data, "utmMedium"), text(data, "utmCampaign"));
            e.trafficSource(trafficSource);
            e.client(browser, text(data, "browserVersion"), os, text(data, "osVersion"), deviceType);
            e.fingerprint(fingerprint);
            return e;
        }

        private static EventDetails details(EventType type, String name, Double value, Map<String, Object> d) {
            return switch (type) {
                case ERROR -> new EventDetails.ErrorDetails(text(d, "message"), text(d, "stack"), text(d, "errorType"),
                        text(d, "filename"), integer(d.get("lineno")), integer(d.get("colno")), strings(d.get("clientFingerprint")));
                case WEB_VITAL -> new EventDetails.WebVitalDetails(name, value == null ? 0 : value, text(d, "rating"),
                        number(d.get("delta")), text(d, "metricId"), text(d, "navigationType"));
                case RESOURCE -> new EventDetails.ResourceDetails(new ResourceTiming(name, text(d, "initiatorType"),
                        number(d.get("startTime")), value == null ? 0 : value, number(d.get("transferSize"))));
                case CLICK -> new EventDetails.ClickDetails(orZero(number(d.get("x"))), orZero(number(d.get("y"))),
                        orZeroInt(integer(d.get("viewportWidth"))), orZeroInt(integer(d.get("viewportHeight"))), text(d, "selector"));
                case EVENT -> new EventDetails.CustomEventDetails(name);
                case API -> new EventDetails.ApiCallDetails(text(d, "method"), name, integer(d.get("status")), value);
                case PERFORMANCE -> performance(d);
                case PAGEVIEW, SESSION_START, SESSION_END, CONVERSION, PURCHASE, SESSION_UPDATE -> EventDetails.None.INSTANCE;
            };
        }

        private static EventDetails performance(Map<String, Object> d) {
            Map<String, Double> metrics = new LinkedHashMap<>();
            Map<String, Object> raw = object(d.get("metrics"));
            if (raw != null) {
                raw.forEach((k, v) -> metrics.put(k, number(v)));
            }
            List<ResourceTiming> resources = new ArrayList<>();
            if (d.get("resources") instanceof List<?> list) {
                for (Object o : list) {
                    Map<String, Object> r = object(o);
                    if (r != null) {
                        resources.add(new ResourceTiming(text(r, "name"), text(r, "initiatorType"), number(r.get("startTime")),
                                orZero(number(r.get("duration"))), number(r.get("transferSize"))));
                    }
                }
            }
            return new EventDetails.PerformanceDetails(metrics, resources);
        }

        private static String text(Map<String, Object> m, String key) {
            return m.get(key) instanceof String s ? s : null;
        }

        private static Double number(Object v) {
            return v instanceof Number n ? n.doubleValue() : null;
        }

        private static Integer integer(Object v) {
            return v instanceof Number n ? n.intValue() : null;
        }

        private static double orZero(Double v) {
            return v == null ? 0 : v;
        }

        private static int orZeroInt(Integer v) {
            return v == null ? 0 : v;
        }

        private static List<String> strings(Object v) {
            if (!(v instanceof List<?> list)) {
                return null;
            }
            List<String> out = new ArrayList<>(list.size());
            for (Object o : list) {
                out.add(String.valueOf(o));
            }
            return out;
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> object(Object v) {
            return v instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> json(String text) {
            if (text == null) {
                return null;
            }
            Object parsed = JSON.readValue(text, Object.class);
            if (!(parsed instanceof Map<?, ?>)) {
                throw new IllegalArgumentException("a format-1 JSON column is not an object");
            }
            return (Map<String, Object>) parsed;
        }

        private String string() {
            int lengthPlusOne = varint();
            if (lengthPlusOne == 0) {
                return null;
            }
            int length = lengthPlusOne - 1;
            if (length > buf.length - pos) {
                throw new IllegalArgumentException("a format-1 string runs past the end");
            }
            String s = new String(buf, pos, length, StandardCharsets.UTF_8);
            pos += length;
            return s;
        }

        private int varint() {
            int value = 0;
            for (int shift = 0; shift < 35; shift += 7) {
                byte b = buf[pos++];
                value |= (b & 0x7f) << shift;
                if (b >= 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("a format-1 varint is malformed");
        }

        private int readInt() {
            int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
            pos += 4;
            return v;
        }

        private long readLong() {
            long hi = readInt() & 0xffffffffL;
            long lo = readInt() & 0xffffffffL;
            return (hi << 32) | lo;
        }
    }
}
