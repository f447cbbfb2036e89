package dev.traceflow.storage.duckdb;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails.ApiCallDetails;
import dev.traceflow.core.event.EventDetails.ClickDetails;
import dev.traceflow.core.event.EventDetails.CustomEventDetails;
import dev.traceflow.core.event.EventDetails.ErrorDetails;
import dev.traceflow.core.event.EventDetails.ResourceDetails;
import dev.traceflow.core.event.EventDetails.WebVitalDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.storage.PreparedEvents;
import dev.traceflow.core.storage.RecentEventIds;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Rows of the {@code events} table, ready for the loader: what {@link DuckDbEventConsumer#prepare}
 * makes on request threads and {@link DuckDbEventConsumer#store} inserts ({@link DuckDbArrowImport}).
 * Everything costly (JSON columns, UTF-8, the de-duplication hash) happens while preparing; the
 * loader copies arrays that already exist into Arrow's VarChar vectors. Held only in
 * memory: the journal keeps events in its own, backend-neutral format.
 *
 * <p>Column by column ({@code schema/V1__events.sql}; V3 rebuilt the table in the same order, V4
 * added two at the end, V7 one more, V8 four more): {@value #STRINGS} string columns per row in
 * table order ({@code app_id, type}, then after {@code ts} {@code event_id ... name}, then after
 * {@code value} {@code fingerprint ... data, kind, metric_id}), {@code ts} as epoch microseconds,
 * {@code value} and the {@value #TRAILING_DOUBLES} last columns ({@code transfer_size, click_x,
 * click_y, viewport_width, viewport_height}) as doubles with presence flags.
 */
final class DuckDbRows {

    /** String columns per row. */
    static final int STRINGS = 20;
    /** Strings before {@code ts}, and from there before {@code value}. */
    static final int BEFORE_TS = 2;
    static final int BEFORE_VALUE = 8;
    /** DOUBLE columns after the strings. */
    static final int TRAILING_DOUBLES = 5;
    private static final int TRANSFER_SIZE = 0;
    private static final int CLICK_X = 1;
    private static final int CLICK_Y = 2;
    private static final int VIEWPORT_WIDTH = 3;
    private static final int VIEWPORT_HEIGHT = 4;

    private static final byte[][] TYPE_NAMES = new byte[EventType.values().length][];

    static {
        for (EventType t : EventType.values()) {
            TYPE_NAMES[t.ordinal()] = t.wireName().getBytes(StandardCharsets.UTF_8);
        }
    }

    private DuckDbRows() {
    }

    /**
     * Encoded rows {@code from} to {@code from + size} of the arrays: a {@link PreparedEvents} of
     * this backend. Slices share the arrays.
     *
     * @param keys the de-duplication keys, 0 for an event without {@code eventId}
     */
    record Batch(long[] keys, byte[][] strings, long[] micros, Doubles values, Doubles trailing, int from, int size)
            implements PreparedEvents {

        @Override
        public PreparedEvents slice(int sliceFrom, int sliceTo) {
            PreparedEvents.checkRange(sliceFrom, sliceTo, size);
            return new Batch(keys, strings, micros, values, trailing, from + sliceFrom, sliceTo - sliceFrom);
        }

        long key(int row) {
            return keys[from + row];
        }

        /** The app id of row {@code row}, UTF-8 (rows of one app mostly share the array). */
        byte[] app(int row) {
            return strings[(from + row) * STRINGS];
        }

        /** The event time of row {@code row}, epoch microseconds. */
        long micros(int row) {
            return micros[from + row];
        }
    }

    /**
     * Nullable DOUBLE cells of a batch, without boxing: values and presence flags by cell index (a
     * row's cell for one column, or {@code row * columns + column} for several).
     */
    record Doubles(double[] values, boolean[] present) {

        Doubles(int n) {
            this(new double[n], new boolean[n]);
        }

        void set(int cell, Double value) {
            if (value != null) {
                set(cell, value.doubleValue());
            }
        }

        void set(int cell, double value) {
            values[cell] = value;
            present[cell] = true;
        }
    }

    /** The de-duplication key of an event id: never 0, which stands for "no id". */
    static long idKey(String appId, String eventId) {
        long key = RecentEventIds.key(appId, eventId);
        return key == 0 ? 1 : key;
    }

    static Batch encode(List<Event> events) {
        int n = events.size();
        long[] keys = new long[n];
        byte[][] strings = new byte[n * STRINGS][];
        long[] micros = new long[n];
        Doubles values = new Doubles(n);
        Doubles trailing = new Doubles(n * TRAILING_DOUBLES);
        Utf8 utf8 = new Utf8();
        // kind and metric_id: see schema/V4__query_columns.sql; transfer_size: V7__transfer_size.sql;
        // click_x ... viewport_height: V8__click_columns.sql
        EventDataJson json = new EventDataJson();
        for (int r = 0; r < n; r++) {
            Event e = events.get(r);
            if (e.eventId() != null) {
                keys[r] = idKey(e.appId(), e.eventId());
            }
            micros[r] = e.timestamp() * 1000;
            int s = r * STRINGS;
            strings[s] = utf8.repeating(0, e.appId());
            strings[s + 1] = TYPE_NAMES[e.type().ordinal()];
            strings[s + 2] = utf8.of(e.eventId());
            strings[s + 3] = utf8.repeating(1, e.sessionId());
            strings[s + 4] = utf8.repeating(2, e.userId());
            strings[s + 5] = utf8.repeating(3, e.anonymousId());
            strings[s + 6] = utf8.repeating(4, e.path());
            String name = null;
            Double value = null;
            String kind = null;
            String metricId = null;
            switch (e.details()) {
                case CustomEventDetails c -> name = c.name();
                case WebVitalDetails w -> {
                    name = w.name();
                    value = w.value();
                    metricId = w.id();
                }
                case ResourceDetails res -> {
                    name = res.timing().name();
                    value = res.timing().duration();
                    kind = res.timing().initiatorType();
                    trailing.set(r * TRAILING_DOUBLES + TRANSFER_SIZE, res.timing().transferSize());
                }
                case ClickDetails click -> {
                    int c = r * TRAILING_DOUBLES;
                    setFinite(trailing, c + CLICK_X, click.x());
                    setFinite(trailing, c + CLICK_Y, click.y());
                    trailing.set(c + VIEWPORT_WIDTH, click.viewportWidth());
                    trailing.set(c + VIEWPORT_HEIGHT, click.viewportHeight());
                }
                case ErrorDetails err -> kind = err.errorType();
                case ApiCallDetails api -> {
                    name = api.url();
                    value = api.duration();
                }
                default -> {
                }
            }
            if (e.type() == EventType.CONVERSION || e.type() == EventType.PURCHASE) {
                if (e.properties().get("revenue") instanceof Number revenue) {
                    value = revenue.doubleValue();
                }
                if (e.properties().get("conversionType") instanceof String conversionType) {
                    kind = conversionType;
                }
            }
            strings[s + 7] = utf8.repeating(5, name);
            values.set(r, value);
            strings[s + 8] = utf8.repeating(6, e.fingerprint());
            strings[s + 9] = utf8.repeating(7, e.release());
            strings[s + 10] = utf8.repeating(8, e.environment());
            strings[s + 11] = utf8.repeating(9, e.browser());
            strings[s + 12] = utf8.repeating(10, e.os());
            strings[s + 13] = utf8.repeating(11, e.deviceType());
            strings[s + 14] = utf8.repeating(12, e.country());
            strings[s + 15] = utf8.repeating(13, e.trafficSource());
            int at = s + 16;
            if (!json.json(e.properties(), (bytes, length) -> strings[at] = Arrays.copyOf(bytes, length))) {
                strings[at] = null;
            }
            json.data(e, (bytes, length) -> strings[at + 1] = Arrays.copyOf(bytes, length));
            strings[s + 18] = utf8.repeating(14, kind);
            strings[s + 19] = utf8.of(metricId);
        }
        return new Batch(keys, strings, micros, values, trailing, 0, n);
    }

    /**
     * A finite coordinate as itself; NaN or an infinity as NULL, as the {@code data} JSON holds them
     * (as strings, which the JSON number the heatmap read before these columns did not take).
     */
    private static void setFinite(Doubles cells, int cell, double value) {
        if (Double.isFinite(value)) {
            cells.set(cell, value);
        }
    }

    /**
     * UTF-8 of the strings of one batch; a column whose value repeats the previous event's (an
     * app, a session, a release, a browser) shares its array, as the events of one request mostly do.
     */
    private static final class Utf8 {
        private final String[] lastString = new String[15];
        private final byte[][] lastBytes = new byte[15][];

        byte[] of(String s) {
            return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
        }

        byte[] repeating(int column, String s) {
            if (s == null) {
                return null;
            }
            if (s.equals(lastString[column])) {
                return lastBytes[column];
            }
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            lastString[column] = s;
            lastBytes[column] = bytes;
            return bytes;
        }
    }
}
