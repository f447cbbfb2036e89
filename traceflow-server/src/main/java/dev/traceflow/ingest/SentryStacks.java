package dev.traceflow.ingest;

import dev.traceflow.processing.grouping.ErrorFingerprinter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static dev.traceflow.ingest.SentryValues.cut;
import static dev.traceflow.ingest.SentryValues.stringKeys;

/**
 * A Sentry error's exception, frames, message and fingerprint in the forms TraceFlow's grouping and
 * frame parser read: the frames as a V8 stack (newest call first), {@code {{ default }}} in a
 * fingerprint standing for TraceFlow's own grouping key.
 */
final class SentryStacks {

    /** Sentry's placeholder for its default grouping inside a custom fingerprint. */
    private static final Set<String> DEFAULT_FINGERPRINT = Set.of("{{ default }}", "{{default}}");
    private static final int MAX_FRAMES = 250;

    private SentryStacks() {
    }

    /** {@code exception.values}, or the older form where {@code exception} is the list itself; objects only. */
    static List<Map<String, Object>> exceptions(FieldReader f) {
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

    static List<Map<String, Object>> frames(Map<String, Object> stacktrace) {
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
    static String file(FieldReader frame) {
        Object path = frame.raw().get("abs_path");
        if (!(path instanceof String s) || s.isBlank()) {
            path = frame.raw().get("filename");
        }
        return path instanceof String s && !s.isBlank() ? cut(s.replace('\n', ' ')) : null;
    }

    /** A whole non-negative number of a frame, or null (a frame's numbers are hints, never a reason to refuse). */
    static Integer whole(FieldReader frame, String field) {
        return frame.raw().get(field) instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() <= Integer.MAX_VALUE
                ? n.intValue() : null;
    }

    /** {@code message} (a string, or {@code {formatted, message}}), else {@code logentry}'s. */
    static String message(FieldReader f) {
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
}
