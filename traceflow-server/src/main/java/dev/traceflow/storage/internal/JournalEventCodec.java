package dev.traceflow.storage.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails.ApiCallDetails;
import dev.traceflow.core.event.EventDetails.ClickDetails;
import dev.traceflow.core.event.EventDetails.CustomEventDetails;
import dev.traceflow.core.event.EventDetails.ErrorDetails;
import dev.traceflow.core.event.EventDetails.PerformanceDetails;
import dev.traceflow.core.event.EventDetails.ResourceDetails;
import dev.traceflow.core.event.EventDetails.ResourceTiming;
import dev.traceflow.core.event.EventDetails.WebVitalDetails;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The journal's own format for a request's events, independent of any storage backend, so that
 * accepted events survive a change of {@code traceflow.storage.type} and of a backend's row
 * format. Every field of an {@link Event} is kept, the pipeline's enrichments included, except
 * its request index.
 *
 * <p>Format 2 (format 1 was DuckDB's rows, read by {@link JournalFormatV1}): a format byte, a
 * varint event count, then per event its fields in the order of {@link Writer#event}. Strings are
 * a varint tag: 0 null, 1 "the same as this field of the previous event" (user agents, releases,
 * sessions repeat within a request), otherwise the UTF-8 length + 2 and the bytes. Never change
 * what a released format means: add format 3 and keep reading 2.
 */
final class JournalEventCodec {

    static final byte FORMAT = 2;

    /** Per-field slots for "same as the previous event" strings. */
    private static final int APP = 0, EVENT_ID = 1, SESSION = 2, USER = 3, ANON = 4, URL = 5, REFERRER = 6, TITLE = 7,
            USER_AGENT = 8, RELEASE = 9, ENVIRONMENT = 10, PATH = 11, UTM_SOURCE = 12, UTM_MEDIUM = 13, UTM_CAMPAIGN = 14,
            TRAFFIC = 15, BROWSER = 16, BROWSER_VERSION = 17, OS = 18, OS_VERSION = 19, DEVICE = 20, COUNTRY = 21,
            FINGERPRINT = 22, SLOTS = 23;

    private static final EventType[] TYPES = EventType.values();

    private JournalEventCodec() {
    }

    /**
     * The events in format 2.
     *
     * @throws IllegalArgumentException when a property value is not JSON-like (map, collection,
     *                                  string, number, boolean, null)
     */
    static byte[] encode(List<Event> events) {
        Writer out = new Writer(events.size() * 384 + 16);
        out.writeByte(FORMAT);
        out.varint(events.size());
        for (Event e : events) {
            out.event(e);
        }
        return out.toByteArray();
    }

    /**
     * Reads events written by {@link #encode}.
     *
     * @throws IllegalArgumentException when the bytes are not format 2 or are cut short
     */
    static List<Event> decode(byte[] bytes) {
        try {
            return read(bytes);
        } catch (IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("journal events are cut short", e);
        }
    }

    private static List<Event> read(byte[] bytes) {
        Reader in = new Reader(bytes);
        if (bytes.length == 0 || in.readByte() != FORMAT) {
            throw new IllegalArgumentException("not journal event format " + FORMAT);
        }
        int n = in.varint();
        List<Event> events = new ArrayList<>(Math.min(n, 1 << 16));
        for (int i = 0; i < n; i++) {
            events.add(in.event());
        }
        if (in.pos != bytes.length) {
            throw new IllegalArgumentException((bytes.length - in.pos) + " bytes after the last event");
        }
        return events;
    }

    private static final class Writer {
        private byte[] buf;
        private int size;
        private final String[] previous = new String[SLOTS];

        Writer(int initial) {
            buf = new byte[initial];
        }

        void event(Event e) {
            string(APP, e.appId());
            writeByte((byte) e.type().ordinal());
            varlong(e.timestamp());
            varlong(e.receivedAt());
            varint(e.sizeBytes());
            string(EVENT_ID, e.eventId());
            string(SESSION, e.sessionId());
            string(USER, e.userId());
            string(ANON, e.anonymousId());
            string(URL, e.url());
            string(REFERRER, e.referrer());
            string(TITLE, e.title());
            string(USER_AGENT, e.userAgent());
            string(RELEASE, e.release());
            string(ENVIRONMENT, e.environment());
            value(e.properties());
            value(e.metadata());
            details(e.details());
            string(PATH, e.path());
            string(UTM_SOURCE, e.utmSource());
            string(UTM_MEDIUM, e.utmMedium());
            string(UTM_CAMPAIGN, e.utmCampaign());
            string(TRAFFIC, e.trafficSource());
            string(BROWSER, e.browser());
            string(BROWSER_VERSION, e.browserVersion());
            string(OS, e.os());
            string(OS_VERSION, e.osVersion());
            string(DEVICE, e.deviceType());
            string(COUNTRY, e.country());
            writeByte((byte) (e.bot() ? 1 : 0));
            string(FINGERPRINT, e.fingerprint());
        }

        private void details(EventDetails details) {
            switch (details) {
                case EventDetails.None ignored -> writeByte((byte) 0);
                case ErrorDetails d -> {
                    writeByte((byte) 1);
                    string(d.message());
                    string(d.stack());
                    string(d.errorType());
                    string(d.filename());
                    optionalInt(d.lineno());
                    optionalInt(d.colno());
                    value(d.fingerprint());
                }
                case PerformanceDetails d -> {
                    writeByte((byte) 2);
                    Map<String, Double> metrics = d.metrics() == null ? Map.of() : d.metrics();
                    varint(metrics.size());
                    metrics.forEach((name, v) -> {
                        string(name);
                        optionalDouble(v);
                    });
                    List<ResourceTiming> resources = d.resources() == null ? List.of() : d.resources();
                    varint(resources.size());
                    resources.forEach(this::timing);
                }
                case WebVitalDetails d -> {
                    writeByte((byte) 3);
                    string(d.name());
                    writeDouble(d.value());
                    string(d.rating());
                    optionalDouble(d.delta());
                    string(d.id());
                    string(d.navigationType());
                }
                case ResourceDetails d -> {
                    writeByte((byte) 4);
                    timing(d.timing());
                }
                case ClickDetails d -> {
                    writeByte((byte) 5);
                    writeDouble(d.x());
                    writeDouble(d.y());
                    varlong(d.viewportWidth());
                    varlong(d.viewportHeight());
                    string(d.selector());
                }
                case CustomEventDetails d -> {
                    writeByte((byte) 6);
                    string(d.name());
                }
                case ApiCallDetails d -> {
                    writeByte((byte) 7);
                    string(d.method());
                    string(d.url());
                    optionalInt(d.status());
                    optionalDouble(d.duration());
                }
            }
        }

        private void timing(ResourceTiming t) {
            string(t.name());
            string(t.initiatorType());
            optionalDouble(t.startTime());
            writeDouble(t.duration());
            optionalDouble(t.transferSize());
        }

        /** A JSON-like value, tagged: see {@link Reader#value}. */
        private void value(Object v) {
            switch (v) {
                case null -> writeByte((byte) 0);
                case Boolean b -> writeByte((byte) (b ? 2 : 1));
                case Integer i -> {
                    writeByte((byte) 3);
                    varlong(i);
                }
                case Long l -> {
                    writeByte((byte) 4);
                    varlong(l);
                }
                case Double d -> {
                    writeByte((byte) 5);
                    writeDouble(d);
                }
                case Float f -> {
                    writeByte((byte) 6);
                    writeInt(Float.floatToRawIntBits(f));
                }
                case Short s -> {
                    writeByte((byte) 3);
                    varlong(s);
                }
                case Byte b -> {
                    writeByte((byte) 3);
                    varlong(b);
                }
                case String s -> {
                    writeByte((byte) 7);
                    string(s);
                }
                case BigInteger b -> {
                    writeByte((byte) 8);
                    string(b.toString());
                }
                case BigDecimal b -> {
                    writeByte((byte) 9);
                    string(b.toString());
                }
                case Map<?, ?> m -> {
                    writeByte((byte) 10);
                    varint(m.size());
                    for (Map.Entry<?, ?> e : m.entrySet()) {
                        string(String.valueOf(e.getKey()));
                        value(e.getValue());
                    }
                }
                case Collection<?> c -> {
                    writeByte((byte) 11);
                    varint(c.size());
                    for (Object o : c) {
                        value(o);
                    }
                }
                default -> throw new IllegalArgumentException("a property value of type " + v.getClass().getSimpleName()
                        + " is not JSON-like");
            }
        }

        private void optionalInt(Integer v) {
            if (v == null) {
                writeByte((byte) 0);
            } else {
                writeByte((byte) 1);
                varlong(v);
            }
        }

        private void optionalDouble(Double v) {
            if (v == null) {
                writeByte((byte) 0);
            } else {
                writeByte((byte) 1);
                writeDouble(v);
            }
        }

        /** A string of a slot: tag 1 when it equals the slot's previous value. */
        private void string(int slot, String s) {
            if (s != null && s.equals(previous[slot])) {
                writeByte((byte) 1);
                return;
            }
            previous[slot] = s;
            string(s);
        }

        private void string(String s) {
            if (s == null) {
                writeByte((byte) 0);
                return;
            }
            // the JDK's encoder has a vectorised path for ASCII, far cheaper than a loop over chars
            byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
            varint(utf8.length + 2);
            ensure(utf8.length);
            System.arraycopy(utf8, 0, buf, size, utf8.length);
            size += utf8.length;
        }

        void varint(int v) {
            ensure(5);
            while ((v & ~0x7f) != 0) {
                buf[size++] = (byte) ((v & 0x7f) | 0x80);
                v >>>= 7;
            }
            buf[size++] = (byte) v;
        }

        /** Zig-zag, so small negative numbers stay short. */
        private void varlong(long v) {
            long z = (v << 1) ^ (v >> 63);
            ensure(10);
            while ((z & ~0x7fL) != 0) {
                buf[size++] = (byte) ((z & 0x7f) | 0x80);
                z >>>= 7;
            }
            buf[size++] = (byte) z;
        }

        private void writeDouble(double d) {
            long bits = Double.doubleToRawLongBits(d);
            writeInt((int) (bits >>> 32));
            writeInt((int) bits);
        }

        private void writeInt(int v) {
            ensure(4);
            buf[size] = (byte) (v >>> 24);
            buf[size + 1] = (byte) (v >>> 16);
            buf[size + 2] = (byte) (v >>> 8);
            buf[size + 3] = (byte) v;
            size += 4;
        }

        void writeByte(byte b) {
            ensure(1);
            buf[size++] = b;
        }

        private void ensure(int more) {
            if (size + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }
    }

    private static final class Reader {
        private final byte[] buf;
        private int pos;
        private final String[] previous = new String[SLOTS];

        Reader(byte[] buf) {
            this.buf = buf;
        }

        Event event() {
            String appId = string(APP);
            int type = readByte();
            if (type < 0 || type >= TYPES.length) {
                throw new IllegalArgumentException("unknown event type " + type);
            }
            long timestamp = varlong();
            Event.Builder b = Event.builder(appId, TYPES[type], timestamp)
                    .receivedAt(varlong())
                    .sizeBytes(varint())
                    .eventId(string(EVENT_ID))
                    .sessionId(string(SESSION))
                    .userId(string(USER))
                    .anonymousId(string(ANON))
                    .url(string(URL))
                    .referrer(string(REFERRER))
                    .title(string(TITLE))
                    .userAgent(string(USER_AGENT))
                    .release(string(RELEASE))
                    .environment(string(ENVIRONMENT))
                    .properties(map(value()))
                    .metadata(map(value()))
                    .details(details());
            Event e = b.build();
            e.path(string(PATH));
            e.utm(string(UTM_SOURCE), string(UTM_MEDIUM), string(UTM_CAMPAIGN));
            e.trafficSource(string(TRAFFIC));
            String browser = string(BROWSER);
            String browserVersion = string(BROWSER_VERSION);
            String os = string(OS);
            String osVersion = string(OS_VERSION);
            e.client(browser, browserVersion, os, osVersion, string(DEVICE));
            e.country(string(COUNTRY));
            e.bot(readByte() != 0);
            e.fingerprint(string(FINGERPRINT));
            return e;
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> map(Object v) {
            if (v == null) {
                return null;
            }
            if (v instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
            throw new IllegalArgumentException("properties and metadata must be objects");
        }

        private EventDetails details() {
            int tag = readByte();
            return switch (tag) {
                case 0 -> EventDetails.None.INSTANCE;
                case 1 -> new ErrorDetails(string(), string(), string(), string(), optionalInt(), optionalInt(),
                        strings(value()));
                case 2 -> {
                    int n = varint();
                    Map<String, Double> metrics = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) {
                        metrics.put(string(), optionalDouble());
                    }
                    int r = varint();
                    List<ResourceTiming> resources = new ArrayList<>(Math.min(r, 1024));
                    for (int i = 0; i < r; i++) {
                        resources.add(timing());
                    }
                    yield new PerformanceDetails(metrics, resources);
                }
                case 3 -> new WebVitalDetails(string(), readDouble(), string(), optionalDouble(), string(), string());
                case 4 -> new ResourceDetails(timing());
                case 5 -> new ClickDetails(readDouble(), readDouble(), (int) varlong(), (int) varlong(), string());
                case 6 -> new CustomEventDetails(string());
                case 7 -> new ApiCallDetails(string(), string(), optionalInt(), optionalDouble());
                default -> throw new IllegalArgumentException("unknown details tag " + tag);
            };
        }

        private static List<String> strings(Object v) {
            if (v == null) {
                return null;
            }
            List<String> out = new ArrayList<>();
            for (Object o : (List<?>) v) {
                out.add((String) o);
            }
            return out;
        }

        private ResourceTiming timing() {
            return new ResourceTiming(string(), string(), optionalDouble(), readDouble(), optionalDouble());
        }

        private Object value() {
            int tag = readByte();
            return switch (tag) {
                case 0 -> null;
                case 1 -> Boolean.FALSE;
                case 2 -> Boolean.TRUE;
                case 3 -> (int) varlong();
                case 4 -> varlong();
                case 5 -> readDouble();
                case 6 -> Float.intBitsToFloat(readInt());
                case 7 -> string();
                case 8 -> new BigInteger(string());
                case 9 -> new BigDecimal(string());
                case 10 -> {
                    int n = varint();
                    Map<String, Object> m = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) {
                        m.put(string(), value());
                    }
                    yield m;
                }
                case 11 -> {
                    int n = varint();
                    List<Object> l = new ArrayList<>(Math.min(n, 1024));
                    for (int i = 0; i < n; i++) {
                        l.add(value());
                    }
                    yield l;
                }
                default -> throw new IllegalArgumentException("unknown value tag " + tag);
            };
        }

        private Integer optionalInt() {
            return readByte() == 0 ? null : (int) varlong();
        }

        private Double optionalDouble() {
            return readByte() == 0 ? null : readDouble();
        }

        private String string(int slot) {
            if ((buf[pos] & 0xff) == 1) {
                pos++;
                return previous[slot];
            }
            String s = string();
            previous[slot] = s;
            return s;
        }

        private String string() {
            int tag = varint();
            if (tag == 0) {
                return null;
            }
            if (tag == 1) {
                throw new IllegalArgumentException("a repeated string where none can repeat");
            }
            int length = tag - 2;
            if (length > buf.length - pos) {
                throw new IllegalArgumentException("a string runs past the end");
            }
            String s = new String(buf, pos, length, StandardCharsets.UTF_8);
            pos += length;
            return s;
        }

        int varint() {
            long v = varlongRaw();
            if (v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("a count is out of range");
            }
            return (int) v;
        }

        private long varlong() {
            long z = varlongRaw();
            return (z >>> 1) ^ -(z & 1);
        }

        private long varlongRaw() {
            long value = 0;
            for (int shift = 0; shift < 70; shift += 7) {
                byte b = buf[pos++];
                value |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("a number is malformed");
        }

        private double readDouble() {
            long hi = readInt() & 0xffffffffL;
            long lo = readInt() & 0xffffffffL;
            return Double.longBitsToDouble((hi << 32) | lo);
        }

        private int readInt() {
            int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
            pos += 4;
            return v;
        }

        int readByte() {
            return buf[pos++];
        }
    }
}
