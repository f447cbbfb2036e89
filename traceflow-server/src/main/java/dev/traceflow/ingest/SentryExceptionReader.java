package dev.traceflow.ingest;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.sym.BinaryNameMatcher;
import tools.jackson.core.sym.PropertyNameMatcher;

import java.util.List;

/**
 * Reads a Sentry event's {@code exception} field straight from the parser into a
 * {@link SentryException}, of each frame only its file, function, line and column: building a map
 * per frame, a list of them and a map per exception, only to turn them into stack text, was the
 * largest part of the error mapping's own work. Reads as
 * {@link SentryException#of} reads the same field built whole, the last of repeated keys winning;
 * whatever it does not keep (a frame's source context and variables, an exception's module...) is
 * walked over and checked as {@link IngestJson#skipValue} does.
 */
final class SentryExceptionReader {

    private static final PropertyNameMatcher CONTAINER = matcher("values");
    private static final int VALUES = 0;
    private static final PropertyNameMatcher EXCEPTION = matcher("type", "value", "mechanism", "stacktrace");
    private static final int TYPE = 0;
    private static final int VALUE = 1;
    private static final int MECHANISM = 2;
    private static final int STACKTRACE = 3;
    private static final PropertyNameMatcher STACK = matcher("frames");
    private static final int FRAMES = 0;
    private static final PropertyNameMatcher FRAME = matcher("abs_path", "filename", "function", "lineno", "colno");
    private static final int ABS_PATH = 0;
    private static final int FILENAME = 1;
    private static final int FUNCTION = 2;
    private static final int LINENO = 3;
    private static final int COLNO = 4;

    private SentryExceptionReader() {
    }

    /**
     * The {@code exception} value starting at token {@code t} ({@code {"values": [...]}}, or the list
     * itself), through its end.
     *
     * @return the exception thrown last, null when the value holds no exception object
     */
    static SentryException read(JsonParser p, JsonToken t) {
        if (t == JsonToken.START_ARRAY) {
            return lastOf(p);
        }
        if (t != JsonToken.START_OBJECT) {
            IngestJson.skipValue(p, t);
            return null;
        }
        SentryException last = null;
        int match;
        while ((match = p.nextNameMatch(CONTAINER)) >= 0 || match == PropertyNameMatcher.MATCH_UNKNOWN_NAME) {
            JsonToken value = p.nextToken();
            if (match == VALUES && value == JsonToken.START_ARRAY) {
                last = lastOf(p);
            } else {
                IngestJson.skipValue(p, value);
                if (match == VALUES) {
                    last = null;
                }
            }
        }
        return last;
    }

    /** The last exception object of a list, after its {@code START_ARRAY}, through its {@code END_ARRAY}. */
    private static SentryException lastOf(JsonParser p) {
        SentryException last = null;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == JsonToken.START_OBJECT) {
                last = exception(p);
            } else {
                IngestJson.skipValue(p, t);
            }
        }
        return last;
    }

    private static SentryException exception(JsonParser p) {
        SentryException e = new SentryException();
        int match;
        while ((match = p.nextNameMatch(EXCEPTION)) >= 0 || match == PropertyNameMatcher.MATCH_UNKNOWN_NAME) {
            JsonToken t = p.nextToken();
            switch (match) {
                case TYPE -> e.type(IngestJson.readValue(p, t));
                case VALUE -> e.value(IngestJson.readValue(p, t));
                case MECHANISM -> e.mechanism(IngestJson.readValue(p, t));
                case STACKTRACE -> {
                    e.stacktrace(t != JsonToken.START_OBJECT && t != JsonToken.VALUE_NULL);
                    if (t == JsonToken.START_OBJECT) {
                        stacktrace(p, e);
                    } else {
                        IngestJson.skipValue(p, t);
                    }
                }
                default -> IngestJson.skipValue(p, t);
            }
        }
        return e;
    }

    private static void stacktrace(JsonParser p, SentryException e) {
        int match;
        while ((match = p.nextNameMatch(STACK)) >= 0 || match == PropertyNameMatcher.MATCH_UNKNOWN_NAME) {
            JsonToken t = p.nextToken();
            if (match == FRAMES) {
                e.startFrames();
            }
            if (match == FRAMES && t == JsonToken.START_ARRAY) {
                frames(p, e);
            } else {
                IngestJson.skipValue(p, t);
            }
        }
    }

    private static void frames(JsonParser p, SentryException e) {
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (t == JsonToken.START_OBJECT) {
                frame(p, e);
            } else {
                IngestJson.skipValue(p, t);
                e.notAFrame();
            }
        }
    }

    private static void frame(JsonParser p, SentryException e) {
        String absPath = null;
        String filename = null;
        String function = null;
        int line = -1;
        int column = -1;
        int match;
        while ((match = p.nextNameMatch(FRAME)) >= 0 || match == PropertyNameMatcher.MATCH_UNKNOWN_NAME) {
            JsonToken t = p.nextToken();
            switch (match) {
                case ABS_PATH -> absPath = string(p, t);
                case FILENAME -> filename = string(p, t);
                case FUNCTION -> function = string(p, t);
                case LINENO -> line = whole(p, t);
                case COLNO -> column = whole(p, t);
                default -> IngestJson.skipValue(p, t);
            }
        }
        e.frame(absPath, filename, function, line, column);
    }

    /** A string value, else (walked over) null. */
    private static String string(JsonParser p, JsonToken t) {
        if (t == JsonToken.VALUE_STRING) {
            return p.getString();
        }
        IngestJson.skipValue(p, t);
        return null;
    }

    /** A whole non-negative number ({@link SentryException#whole}), else (walked over) -1. */
    private static int whole(JsonParser p, JsonToken t) {
        if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
            return SentryException.whole(p.getDoubleValue());
        }
        IngestJson.skipValue(p, t);
        return -1;
    }

    private static PropertyNameMatcher matcher(String... names) {
        return BinaryNameMatcher.construct(List.of(names));
    }
}
