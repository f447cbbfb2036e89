package dev.traceflow.ingest;

import dev.traceflow.processing.grouping.ErrorFingerprinter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What a Sentry error is titled and grouped by, in the forms TraceFlow's grouping reads: the message
 * of an error without exception, and the fingerprint, {@code {{ default }}} in it standing for
 * TraceFlow's own grouping key (the exception and its frames: {@link SentryException}).
 */
final class SentryGrouping {

    /** Sentry's placeholder for its default grouping inside a custom fingerprint. */
    private static final Set<String> DEFAULT_FINGERPRINT = Set.of("{{ default }}", "{{default}}");

    private SentryGrouping() {
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
