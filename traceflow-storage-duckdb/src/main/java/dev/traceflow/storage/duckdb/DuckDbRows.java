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
    /** The length of a NULL string cell. */
    static final int NULL_LENGTH = -1;
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
     * <p>The strings of all rows lie in one array, {@code text}: cell {@code row * STRINGS + column}
     * is {@code lengths[cell]} bytes from {@code starts[cell]}, or NULL where the length is
     * {@value #NULL_LENGTH}; a value that repeats the previous row's points at the same bytes. One
     * array rather than one per value (about ten per event before): a prepared batch waits in
     * memory from its request until its load, seconds under {@code load-max-delay}, and the
     * collector moves what is alive, so fewer objects per waiting event; the JSON columns are
     * written into it without a copy of their own.
     *
     * @param keys the de-duplication keys, 0 for an event without {@code eventId}
     */
    record Batch(long[] keys, byte[] text, int[] starts, int[] lengths, long[] micros, Doubles values, Doubles trailing,
                 int from, int size) implements PreparedEvents {

        @Override
        public PreparedEvents slice(int sliceFrom, int sliceTo) {
            PreparedEvents.checkRange(sliceFrom, sliceTo, size);
            return new Batch(keys, text, starts, lengths, micros, values, trailing, from + sliceFrom, sliceTo - sliceFrom);
        }

        long key(int row) {
            return keys[from + row];
        }

        /** The cell index of row {@code row}'s first string ({@code app_id}); its others follow. */
        int firstCell(int row) {
            return (from + row) * STRINGS;
        }

        /** The app id of row {@code row}. */
        String app(int row) {
            int cell = firstCell(row);
            return new String(text, starts[cell], lengths[cell], StandardCharsets.UTF_8);
        }

        /**
         * Where row {@code row}'s app id starts in {@link #text}: rows of one app mostly share their
         * bytes, so an equal start in the same array is the same app without comparing them.
         */
        int appStart(int row) {
            return starts[firstCell(row)];
        }

        /** A copy of cell {@code cell}'s bytes (an index into all the arrays, as {@link #firstCell}), null for NULL. */
        byte[] bytes(int cell) {
            return lengths[cell] == NULL_LENGTH ? null : Arrays.copyOfRange(text, starts[cell], starts[cell] + lengths[cell]);
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
        Text strings = new Text(n);
        long[] micros = new long[n];
        Doubles values = new Doubles(n);
        Doubles trailing = new Doubles(n * TRAILING_DOUBLES);
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
            strings.repeating(s, 0, e.appId());
            strings.repeating(s + 1, 15, TYPE_NAMES[e.type().ordinal()]);
            strings.of(s + 2, e.eventId());
            strings.repeating(s + 3, 1, e.sessionId());
            strings.repeating(s + 4, 2, e.userId());
            strings.repeating(s + 5, 3, e.anonymousId());
            strings.repeating(s + 6, 4, e.path());
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
            strings.repeating(s + 7, 5, name);
            values.set(r, value);
            strings.repeating(s + 8, 6, e.fingerprint());
            strings.repeating(s + 9, 7, e.release());
            strings.repeating(s + 10, 8, e.environment());
            strings.repeating(s + 11, 9, e.browser());
            strings.repeating(s + 12, 10, e.os());
            strings.repeating(s + 13, 11, e.deviceType());
            strings.repeating(s + 14, 12, e.country());
            strings.repeating(s + 15, 13, e.trafficSource());
            int at = s + 16;
            if (!json.json(e.properties(), (bytes, length) -> strings.copy(at, bytes, length))) {
                strings.setNull(at);
            }
            json.data(e, (bytes, length) -> strings.copy(at + 1, bytes, length));
            strings.repeating(s + 18, 14, kind);
            strings.of(s + 19, metricId);
        }
        return new Batch(keys, strings.trimmed(), strings.starts, strings.lengths, micros, values, trailing, 0, n);
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
     * The string cells of one batch as they are written: UTF-8 appended to one growing array. A
     * column whose value repeats the previous event's (an app, a session, a release, a browser)
     * points at the bytes already there, as the events of one request mostly do.
     */
    private static final class Text {
        /** Columns {@link #repeating} remembers the last value of: 15 string columns and the type. */
        private static final int REMEMBERED = 16;
        /** A first guess of a row's bytes (JSON columns included), so most batches grow the array once or never. */
        private static final int BYTES_PER_ROW = 512;

        final int[] starts;
        final int[] lengths;
        private byte[] bytes;
        private int used;
        private final Object[] lastValue = new Object[REMEMBERED];
        private final int[] lastStart = new int[REMEMBERED];
        private final int[] lastLength = new int[REMEMBERED];

        Text(int rows) {
            starts = new int[rows * STRINGS];
            lengths = new int[rows * STRINGS];
            bytes = new byte[Math.max(64, rows * BYTES_PER_ROW)];
        }

        void setNull(int cell) {
            lengths[cell] = NULL_LENGTH;
        }

        void of(int cell, String s) {
            if (s == null) {
                setNull(cell);
            } else {
                byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
                copy(cell, utf8, utf8.length);
            }
        }

        /** Cell {@code cell} of column {@code column}: a string, or a value's bytes that never change (a type's name). */
        void repeating(int cell, int column, Object value) {
            if (value == null) {
                setNull(cell);
                return;
            }
            if (value == lastValue[column] || value.equals(lastValue[column])) {
                starts[cell] = lastStart[column];
                lengths[cell] = lastLength[column];
                return;
            }
            byte[] utf8 = value instanceof byte[] b ? b : ((String) value).getBytes(StandardCharsets.UTF_8);
            copy(cell, utf8, utf8.length);
            lastValue[column] = value;
            lastStart[column] = starts[cell];
            lastLength[column] = lengths[cell];
        }

        void copy(int cell, byte[] from, int length) {
            if (used + length > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(used + length, bytes.length * 2));
            }
            System.arraycopy(from, 0, bytes, used, length);
            starts[cell] = used;
            lengths[cell] = length;
            used += length;
        }

        /** The bytes written, in an array of their size: the batch waits in memory, so no spare room. */
        byte[] trimmed() {
            return used == bytes.length ? bytes : Arrays.copyOf(bytes, used);
        }
    }
}
