package dev.traceflow.ingest;

import dev.traceflow.core.event.EventDetails;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The rules of the event API's details that arrive as JSON objects and lists (a performance event's
 * metrics and resources, an error's fingerprint, an API call's properties), kept apart from
 * {@link CollectEventReader}'s slots because seed 001's telemetry mapping ({@link TelemetryMapping})
 * applies the same rules with the same messages.
 */
final class EventDetailsRules {

    static final Set<String> PERFORMANCE_METRICS = Set.of("fcp", "lcp", "fid", "inp", "cls", "ttfb", "domLoad", "load");
    static final Set<String> WEB_VITALS = Set.of("LCP", "INP", "CLS", "FCP", "TTFB", "FID");

    private EventDetailsRules() {
    }

    /**
     * A performance event's details (also seed 001's telemetry perf items): at least one known
     * metric, each null or a non-negative finite number; resources, when present, objects with a
     * resource timing's fields.
     *
     * @param metrics   the {@code metrics} object, or null when absent
     * @param resourcesField reads the {@code resources} array (null when absent), once the metrics passed
     * @throws FieldReader.FieldError naming the first metric or resource entry that breaks a rule
     */
    static EventDetails performance(Map<String, Object> metrics, Supplier<List<?>> resourcesField) {
        if (metrics == null || metrics.isEmpty()) {
            throw new FieldReader.FieldError("MISSING_FIELD", "field 'metrics' is required and must hold at least one of " + PERFORMANCE_METRICS);
        }
        Map<String, Double> byName = new LinkedHashMap<>();
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
            byName.put(m.getKey(), n.doubleValue());
        }
        List<EventDetails.ResourceTiming> timings = new ArrayList<>();
        List<?> resources = resourcesField.get();
        if (resources != null) {
            for (Object o : resources) {
                if (!(o instanceof Map<?, ?> m)) {
                    throw new FieldReader.FieldError("INVALID_FIELD", "field 'resources' must be an array of objects");
                }
                @SuppressWarnings("unchecked")
                FieldReader r = new FieldReader((Map<String, Object>) m);
                try {
                    timings.add(new EventDetails.ResourceTiming(r.requiredString("name"), r.requiredString("initiatorType"),
                            r.number("startTime"), r.requiredNumber("duration"), r.number("transferSize")));
                } catch (FieldReader.FieldError e) {
                    throw new FieldReader.FieldError(e.code(), "resources[]: " + e.getMessage());
                }
            }
        }
        return new EventDetails.PerformanceDetails(byName, timings);
    }

    /** The client's grouping override: null when absent or empty. */
    static List<String> fingerprint(List<?> raw) {
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

    /**
     * An API call needs what the "slowest / failing endpoints" questions read: its URL and duration.
     * Method and status stay optional, as a request that failed at the network level has no status.
     */
    static EventDetails api(Map<String, Object> props) {
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
