package dev.traceflow.ingest;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What every Sentry item's mapping needs of a parsed payload, whatever the item: values cut to
 * TraceFlow's bounds (Sentry payloads nest freely and the pipeline refuses metadata deeper than its
 * limit), tags and headers in both of Sentry's spellings, and Sentry's times.
 */
final class SentryValues {

    static final int MAX_STRING = 2048;
    static final int MAX_LIST = 100;

    private SentryValues() {
    }

    /** Tags as properties: an object, or Sentry's older list of [key, value] pairs; values as strings. */
    static Map<String, Object> tags(Object tags) {
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

    static void putTag(Map<String, Object> properties, Object key, Object value) {
        if (key instanceof String k && !k.isBlank() && properties.size() < MAX_LIST
                && (value instanceof String || value instanceof Number || value instanceof Boolean)) {
            properties.put(cut(k), value instanceof String s ? cut(s) : value);
        }
    }

    /** Request headers by lower-case name: an object, or a list of [name, value] pairs. */
    static Map<String, Object> headers(Object headers) {
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

    /** Seconds since the epoch (a number, Sentry's form) or an RFC 3339 string; {@code receivedAt} when absent. */
    static long time(FieldReader f, String field, long receivedAt) {
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
    static boolean fits(Object value, int depth) {
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

    static Object boundedCopy(Object value, int depth) {
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

    static String cut(String s) {
        return s.length() > MAX_STRING ? s.substring(0, MAX_STRING) : s;
    }

    static void putString(Map<String, Object> target, String key, String value) {
        if (value != null && !value.isBlank()) {
            target.put(key, cut(value));
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> stringKeys(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    static Map<String, Object> orEmpty(Map<String, Object> m) {
        return m == null ? Map.of() : m;
    }
}
