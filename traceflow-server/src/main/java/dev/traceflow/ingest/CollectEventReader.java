package dev.traceflow.ingest;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.sym.BinaryNameMatcher;
import tools.jackson.core.sym.PropertyNameMatcher;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Reads a TraceFlow event object (API.md "TraceFlow events", {@code /api/collect} and
 * {@code /api/collect/batch}) straight from the parser into one slot per field the API knows, then
 * builds the {@link Event}: common fields, then the type's own fields. Unknown fields are skipped
 * without being kept, as SDKs add fields over time.
 *
 * <p>Building a map per event and then looking fields up in it was a large part of the request
 * threads' CPU, so only the fields stored as JSON ({@code properties}, {@code metadata}) and those
 * whose rules walk their content ({@code metrics}, {@code resources}, {@code fingerprint}) are
 * materialised, with the same value types as {@link IngestJson#readObject}. The other slots keep
 * the raw value (a string, a number, or a marker for any other JSON kind) until the whole object
 * is read: which fields are required, and so checked, depends on the type, which may come last.
 *
 * <p>A reader is reused for every event of one request and is not thread-safe.
 */
final class CollectEventReader implements IngestJson.EventReader<CollectEventReader> {

    private static final String TYPE_NAMES = Arrays.stream(EventType.values()).map(EventType::wireName).toList().toString();

    /** The fields the event API reads; any other field of the object is skipped. */
    private enum Field {
        APP_ID("appId", Kind.REPEATING), TYPE("type", Kind.REPEATING), TIMESTAMP("timestamp"), EVENT_ID("eventId"),
        SESSION_ID("sessionId", Kind.REPEATING), USER_ID("userId", Kind.REPEATING), ANONYMOUS_ID("anonymousId", Kind.REPEATING),
        URL("url", Kind.REPEATING), REFERRER("referrer", Kind.REPEATING), TITLE("title", Kind.REPEATING),
        USER_AGENT("userAgent", Kind.REPEATING), RELEASE("release", Kind.REPEATING), ENVIRONMENT("environment", Kind.REPEATING),
        PROPERTIES("properties", Kind.MATERIALISED), METADATA("metadata", Kind.MATERIALISED),
        // error
        MESSAGE("message"), STACK("stack"), ERROR_TYPE("errorType", Kind.REPEATING), FILENAME("filename", Kind.REPEATING),
        LINENO("lineno"), COLNO("colno"), FINGERPRINT("fingerprint", Kind.MATERIALISED),
        // performance
        METRICS("metrics", Kind.MATERIALISED), RESOURCES("resources", Kind.MATERIALISED),
        // web-vital, resource, event
        NAME("name", Kind.REPEATING), VALUE("value"), RATING("rating", Kind.REPEATING), DELTA("delta"), ID("id"),
        NAVIGATION_TYPE("navigationType", Kind.REPEATING), INITIATOR_TYPE("initiatorType", Kind.REPEATING),
        START_TIME("startTime"), DURATION("duration"), TRANSFER_SIZE("transferSize"),
        // click
        X("x"), Y("y"), VIEWPORT_WIDTH("viewportWidth"), VIEWPORT_HEIGHT("viewportHeight"), SELECTOR("selector", Kind.REPEATING);

        private static final Field[] ALL = values();
        /**
         * Matches a property name to its field's ordinal from the name's bytes as the parser reads
         * them, without making it a String and looking that up in a map first. Immutable, so shared.
         */
        private static final PropertyNameMatcher MATCHER =
                BinaryNameMatcher.construct(Arrays.stream(ALL).map(f -> f.json).toList());

        final String json;
        /** Whether an object or array value is kept; for the other fields it is only a wrong kind. */
        final boolean materialised;
        /** Whether a string value often equals the previous event's (see {@link #repeated}). */
        final boolean repeating;

        Field(String json) {
            this(json, Kind.PLAIN);
        }

        Field(String json, Kind kind) {
            this.json = json;
            this.materialised = kind == Kind.MATERIALISED;
            this.repeating = kind == Kind.REPEATING;
        }
    }

    /** How a field's value is read beyond the plain case. */
    private enum Kind {
        PLAIN,
        /** An object or array value is kept (as {@link IngestJson#readValue} reads it). */
        MATERIALISED,
        /** A string value is compared with the previous event's, and that String is reused when equal. */
        REPEATING
    }

    /** Slot values that are not the JSON value itself. */
    private enum Raw {
        /** The value is a JSON number, kept unboxed in {@link #numbers}. */
        NUMBER,
        /** true, false, or an object or array where the field takes neither: wrong for every rule that reads it. */
        OTHER_KIND
    }

    private static final int FIELDS = Field.ALL.length;

    private final String headerUserAgent;
    private final long receivedAt;
    /** Per field: null (absent or JSON null), a String, a Map or List (materialised fields only), or a {@link Raw}. */
    private final Object[] values = new Object[FIELDS];
    private final double[] numbers = new double[FIELDS];
    /** Per repeating field: the last string value read in this request, reused when the next one is equal. */
    private final String[] previous = new String[FIELDS];

    /**
     * @param headerUserAgent the request's User-Agent, used for events that have none
     * @param receivedAt      when the request arrived, epoch milliseconds
     */
    CollectEventReader(String headerUserAgent, long receivedAt) {
        this.headerUserAgent = headerUserAgent;
        this.receivedAt = receivedAt;
        // an event's own userAgent is mostly the request's: then all its events share one String
        previous[Field.USER_AGENT.ordinal()] = headerUserAgent;
    }

    /**
     * Reads the event object starting at the parser's current {@code START_OBJECT} through its
     * {@code END_OBJECT} into this reader's slots (the last of repeated keys wins), replacing the
     * previous event's.
     *
     * @return this reader, holding the event until the next {@code read}
     */
    @Override
    public CollectEventReader read(JsonParser p) {
        Arrays.fill(values, null);
        int match;
        // the loop ends where nextName() would return null: at the object's end (or, never in an
        // object, at another token)
        while ((match = p.nextNameMatch(Field.MATCHER)) >= 0 || match == PropertyNameMatcher.MATCH_UNKNOWN_NAME) {
            JsonToken t = p.nextToken();
            if (match == PropertyNameMatcher.MATCH_UNKNOWN_NAME) {
                IngestJson.skipValue(p, t);
                continue;
            }
            Field field = Field.ALL[match];
            int slot = field.ordinal();
            values[slot] = switch (t) {
                case VALUE_STRING -> field.repeating ? repeated(slot, p) : p.getString();
                case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                    numbers[slot] = number(p, t);
                    yield Raw.NUMBER;
                }
                case VALUE_NULL -> null;
                case START_OBJECT, START_ARRAY -> {
                    if (field.materialised) {
                        yield IngestJson.readValue(p, t);
                    }
                    IngestJson.skipValue(p, t);
                    yield Raw.OTHER_KIND;
                }
                case VALUE_TRUE, VALUE_FALSE -> Raw.OTHER_KIND;
                case null -> throw IngestJson.endsInsideAValue();
                default -> throw new IllegalStateException("unexpected JSON token " + t);
            };
        }
        return this;
    }

    /**
     * The current string value, as the previous event's String when the text is the same. The events
     * of a request mostly share their app, session, user, release and user agent: one String for all
     * of them saves making a String per event, and everything after the parser that compares an
     * event's strings with the previous event's (the journal's and the store's encoders, the user
     * agent cache, the session facts) then finds them equal by identity, and their hash computed once.
     */
    private String repeated(int slot, JsonParser p) {
        char[] chars = p.getStringCharacters();
        int offset = p.getStringOffset();
        int length = p.getStringLength();
        String last = previous[slot];
        if (last != null && last.length() == length) {
            int i = 0;
            while (i < length && last.charAt(i) == chars[offset + i]) {
                i++;
            }
            if (i == length) {
                return last;
            }
        }
        String s = new String(chars, offset, length);
        previous[slot] = s;
        return s;
    }

    /** The double the map path's boxed number gave ({@code getNumberValue().doubleValue()}), unboxed where it can be. */
    private static double number(JsonParser p, JsonToken t) {
        if (t == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getDoubleValue();
        }
        return switch (p.getNumberType()) {
            case INT, LONG -> p.getLongValue();
            default -> p.getNumberValue().doubleValue();
        };
    }

    /**
     * The event last {@linkplain #read read}. Fields are checked in a fixed order (common fields, then
     * the type's), so an event with several problems always reports the same, first one.
     *
     * @param index the event's position in its request
     * @param size  the event's size in bytes as received
     * @throws FieldReader.FieldError when a field the type needs is missing, or a field it reads has
     *                                the wrong JSON kind or an invalid value
     */
    Event toEvent(int index, int size) {
        String appId = requiredString(Field.APP_ID);
        String typeName = requiredString(Field.TYPE);
        EventType type = EventType.fromWireName(typeName);
        if (type == null) {
            throw new FieldReader.FieldError("UNKNOWN_TYPE", "type '" + RequestBodies.truncate(typeName) + "' is not one of "
                    + TYPE_NAMES);
        }
        long timestamp = requiredTime(Field.TIMESTAMP);
        String userAgent = string(Field.USER_AGENT);
        return Event.builder(appId, type, timestamp)
                .index(index)
                .sizeBytes(size)
                .receivedAt(receivedAt)
                .eventId(string(Field.EVENT_ID))
                .sessionId(string(Field.SESSION_ID))
                .userId(string(Field.USER_ID))
                .anonymousId(string(Field.ANONYMOUS_ID))
                .url(string(Field.URL))
                .referrer(string(Field.REFERRER))
                .title(string(Field.TITLE))
                .userAgent(userAgent != null ? userAgent : headerUserAgent)
                .release(string(Field.RELEASE))
                .environment(string(Field.ENVIRONMENT))
                .properties(object(Field.PROPERTIES))
                .metadata(object(Field.METADATA))
                .details(details(type))
                .build();
    }

    private EventDetails details(EventType type) {
        return switch (type) {
            case ERROR -> new EventDetails.ErrorDetails(requiredString(Field.MESSAGE), string(Field.STACK),
                    string(Field.ERROR_TYPE), string(Field.FILENAME), integer(Field.LINENO), integer(Field.COLNO),
                    EventDetailsRules.fingerprint(array(Field.FINGERPRINT)));
            // resources are read after the metrics are checked, so an event wrong in both reports the metrics
            case PERFORMANCE -> EventDetailsRules.performance(object(Field.METRICS), () -> array(Field.RESOURCES));
            case WEB_VITAL -> webVital();
            case RESOURCE -> new EventDetails.ResourceDetails(new EventDetails.ResourceTiming(requiredString(Field.NAME),
                    requiredString(Field.INITIATOR_TYPE), number(Field.START_TIME), requiredNumber(Field.DURATION),
                    number(Field.TRANSFER_SIZE)));
            case CLICK -> {
                int width = positive(Field.VIEWPORT_WIDTH);
                int height = positive(Field.VIEWPORT_HEIGHT);
                yield new EventDetails.ClickDetails(requiredNumber(Field.X), requiredNumber(Field.Y), width, height,
                        string(Field.SELECTOR));
            }
            case EVENT -> new EventDetails.CustomEventDetails(requiredString(Field.NAME));
            case API -> EventDetailsRules.api(object(Field.PROPERTIES));
            case SESSION_UPDATE -> {
                // release health is counted per release: an update without one would count for none
                requiredString(Field.RELEASE);
                yield EventDetails.None.INSTANCE;
            }
            case PAGEVIEW, SESSION_START, SESSION_END, CONVERSION, PURCHASE -> {
                Map<String, Object> props = object(Field.PROPERTIES);
                if (props != null && props.get("revenue") != null && !(props.get("revenue") instanceof Number)) {
                    throw new FieldReader.FieldError("INVALID_FIELD", "field 'properties.revenue' must be a number");
                }
                yield EventDetails.None.INSTANCE;
            }
        };
    }

    private EventDetails webVital() {
        String name = requiredString(Field.NAME);
        if (!EventDetailsRules.WEB_VITALS.contains(name)) {
            throw new FieldReader.FieldError("INVALID_FIELD", "web-vital name must be one of " + EventDetailsRules.WEB_VITALS);
        }
        double value = requiredNumber(Field.VALUE);
        if (value < 0) {
            throw new FieldReader.FieldError("INVALID_FIELD", "field 'value' must not be negative");
        }
        return new EventDetails.WebVitalDetails(name, value, string(Field.RATING), number(Field.DELTA),
                requiredString(Field.ID), string(Field.NAVIGATION_TYPE));
    }

    // The slot accessors below keep FieldReader's rules and messages: empty strings and JSON null
    // are absent, numbers are never taken as strings, nor strings as numbers.

    private String string(Field field) {
        Object v = values[field.ordinal()];
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return s.isEmpty() ? null : s;
        }
        throw new FieldReader.FieldError("INVALID_FIELD", "field '" + field.json + "' must be a string");
    }

    private String requiredString(Field field) {
        String v = string(field);
        if (v == null || v.isBlank()) {
            throw missing(field);
        }
        return v;
    }

    private Double number(Field field) {
        return values[field.ordinal()] == null ? null : finite(field);
    }

    private double requiredNumber(Field field) {
        if (values[field.ordinal()] == null) {
            throw missing(field);
        }
        return finite(field);
    }

    /** The number of a present field. */
    private double finite(Field field) {
        if (values[field.ordinal()] != Raw.NUMBER) {
            throw new FieldReader.FieldError("INVALID_FIELD", "field '" + field.json + "' must be a number");
        }
        double d = numbers[field.ordinal()];
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new FieldReader.FieldError("INVALID_FIELD", "field '" + field.json + "' must be a finite number");
        }
        return d;
    }

    private Integer integer(Field field) {
        if (values[field.ordinal()] == null) {
            return null;
        }
        double d = finite(field);
        if (d != Math.rint(d) || d > Integer.MAX_VALUE || d < Integer.MIN_VALUE) {
            throw new FieldReader.FieldError("INVALID_FIELD", "field '" + field.json + "' must be an integer");
        }
        return (int) d;
    }

    private int positive(Field field) {
        Integer v = integer(field);
        if (v == null) {
            throw missing(field);
        }
        if (v <= 0) {
            throw new FieldReader.FieldError("INVALID_FIELD", "field '" + field.json + "' must be positive");
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> object(Field field) {
        Object v = values[field.ordinal()];
        if (v == null) {
            return null;
        }
        if (v instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new FieldReader.FieldError("INVALID_FIELD", "field '" + field.json + "' must be an object");
    }

    private List<?> array(Field field) {
        Object v = values[field.ordinal()];
        if (v == null) {
            return null;
        }
        if (v instanceof List<?> l) {
            return l;
        }
        throw new FieldReader.FieldError("INVALID_FIELD", "field '" + field.json + "' must be an array");
    }

    private long requiredTime(Field field) {
        Object v = values[field.ordinal()];
        if (v == null) {
            throw missing(field);
        }
        if (v == Raw.NUMBER) {
            return FieldReader.epochMillis(field.json, numbers[field.ordinal()]);
        }
        if (v instanceof String s) {
            return FieldReader.isoTime(field.json, s);
        }
        throw FieldReader.notATime(field.json);
    }

    private static FieldReader.FieldError missing(Field field) {
        return new FieldReader.FieldError("MISSING_FIELD", "field '" + field.json + "' is required");
    }
}
