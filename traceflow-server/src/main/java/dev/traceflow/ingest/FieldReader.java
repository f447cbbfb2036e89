package dev.traceflow.ingest;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

/**
 * Typed access to one event's JSON object (as Jackson's untyped maps), failing with a
 * {@link FieldError} that names the field, so the event is rejected by index with a clear message.
 */
final class FieldReader {

    private final Map<String, Object> json;

    FieldReader(Map<String, Object> json) {
        this.json = json;
    }

    Map<String, Object> raw() {
        return json;
    }

    boolean has(String field) {
        return json.get(field) != null;
    }

    String requiredString(String field) {
        String v = string(field);
        if (v == null || v.isBlank()) {
            throw new FieldError("MISSING_FIELD", "field '" + field + "' is required");
        }
        return v;
    }

    /** A string, or null when absent or JSON null; numbers are not silently turned into strings. */
    String string(String field) {
        return string(field, json.get(field));
    }

    /** {@code v}, the value of {@code field}, as {@link #string(String)} reads it. */
    static String string(String field, Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s.isEmpty() ? null : s;
        }
        throw new FieldError("INVALID_FIELD", "field '" + field + "' must be a string");
    }

    Double number(String field) {
        Object v = json.get(field);
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new FieldError("INVALID_FIELD", "field '" + field + "' must be a finite number");
            }
            return d;
        }
        throw new FieldError("INVALID_FIELD", "field '" + field + "' must be a number");
    }

    double requiredNumber(String field) {
        Double d = number(field);
        if (d == null) {
            throw new FieldError("MISSING_FIELD", "field '" + field + "' is required");
        }
        return d;
    }

    Integer integer(String field) {
        Double d = number(field);
        if (d == null) {
            return null;
        }
        if (d != Math.rint(d) || d > Integer.MAX_VALUE || d < Integer.MIN_VALUE) {
            throw new FieldError("INVALID_FIELD", "field '" + field + "' must be an integer");
        }
        return d.intValue();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> object(String field) {
        Object v = json.get(field);
        if (v == null) {
            return null;
        }
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new FieldError("INVALID_FIELD", "field '" + field + "' must be an object");
    }

    List<?> array(String field) {
        Object v = json.get(field);
        if (v == null) {
            return null;
        }
        if (v instanceof List<?> l) {
            return l;
        }
        throw new FieldError("INVALID_FIELD", "field '" + field + "' must be an array");
    }

    /** Epoch milliseconds or an ISO-8601 date-time with offset (API.md: times in requests). */
    long requiredTime(String field) {
        Object v = json.get(field);
        if (v == null) {
            throw new FieldError("MISSING_FIELD", "field '" + field + "' is required");
        }
        return time(field, v);
    }

    static long time(String field, Object v) {
        if (v instanceof Number n) {
            return epochMillis(field, n.doubleValue());
        }
        if (v instanceof String s) {
            return isoTime(field, s);
        }
        throw notATime(field);
    }

    /** A time given as a JSON number: epoch milliseconds, truncated to whole ones. */
    static long epochMillis(String field, double d) {
        if (Double.isNaN(d) || Double.isInfinite(d) || d < 0 || d > 9.9e15) {
            throw new FieldError("INVALID_FIELD", "field '" + field + "' must be epoch milliseconds");
        }
        return (long) d;
    }

    /** A time given as a JSON string: ISO-8601 with a zone or offset. */
    static long isoTime(String field, String s) {
        try {
            return Instant.parse(s).toEpochMilli();
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(s).toInstant().toEpochMilli();
            } catch (DateTimeParseException e2) {
                throw new FieldError("INVALID_FIELD", "field '" + field + "' must be epoch milliseconds or an ISO-8601 time with zone");
            }
        }
    }

    /** A time given as neither a number nor a string. */
    static FieldError notATime(String field) {
        return new FieldError("INVALID_FIELD", "field '" + field + "' must be epoch milliseconds or an ISO-8601 time");
    }

    /** A field problem; cheap to throw (no stack trace), as bad input is a normal outcome. */
    static final class FieldError extends RuntimeException {
        private final String code;

        FieldError(String code, String message) {
            super(message, null, false, false);
            this.code = code;
        }

        String code() {
            return code;
        }
    }
}
