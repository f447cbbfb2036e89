package dev.traceflow.storage.duckdb;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.Map;

/**
 * Writes the JSON text of the {@code properties} and {@code data} columns as UTF-8 into one reused
 * byte array. It exists for speed: the values are only ever JSON-like (maps, lists, strings,
 * numbers, booleans, null: what a JSON parser or the protobuf mapping produced), and Jackson's
 * generator, with its write contexts and a serializer lookup for every map, took about a quarter
 * of the request threads' CPU in the ingest benchmark for this alone.
 *
 * <p>Output is RFC 8259 JSON: {@code "}, {@code \} and control characters are escaped, everything
 * else is written as UTF-8 (a surrogate pair as its 4-byte code point). A lone surrogate, which
 * only a {@code \\ud800}-style escape in the request can produce, is written as U+FFFD: DuckDB's
 * JSON functions refuse it, and one such row would fail every query reading the column.
 * Non-finite doubles are written as the strings Jackson writes ({@code "NaN"}, {@code "Infinity"}).
 */
final class JsonText {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    /** For ASCII: 0 written as is, otherwise the character after the backslash ('u' for \\u00XX). */
    private static final byte[] ESCAPES = new byte[128];

    static {
        for (int c = 0; c < 0x20; c++) {
            ESCAPES[c] = 'u';
        }
        ESCAPES['"'] = '"';
        ESCAPES['\\'] = '\\';
        ESCAPES['\n'] = 'n';
        ESCAPES['\r'] = 'r';
        ESCAPES['\t'] = 't';
        ESCAPES['\b'] = 'b';
        ESCAPES['\f'] = 'f';
    }

    private byte[] buf = new byte[1024];
    private int size;
    /** Whether the object being written by the *Field methods already holds a field. */
    private boolean hasField;

    /** A field name as written before its value: {@code "name":}. */
    static byte[] fieldName(String name) {
        JsonText t = new JsonText();
        t.string(name);
        t.writeByte(':');
        return Arrays.copyOf(t.buf, t.size);
    }

    void reset() {
        size = 0;
        hasField = false;
    }

    byte[] bytes() {
        return buf;
    }

    int length() {
        return size;
    }

    void startObject() {
        writeByte('{');
        hasField = false;
    }

    void endObject() {
        writeByte('}');
    }

    /** Writes the field unless {@code value} is null. */
    void stringField(byte[] name, String value) {
        if (value != null) {
            name(name);
            string(value);
        }
    }

    /** Writes a field whose value is JSON text already, e.g. a string written once and kept ({@link #stringJson}). */
    void rawField(byte[] name, byte[] json) {
        name(name);
        writeBytes(json);
    }

    /** The JSON text of one string, for {@link #rawField}. */
    static byte[] stringJson(String s) {
        JsonText t = new JsonText();
        t.string(s);
        return Arrays.copyOf(t.buf, t.size);
    }

    void longField(byte[] name, long value) {
        name(name);
        digits(value);
    }

    void doubleField(byte[] name, double value) {
        name(name);
        number(value);
    }

    /** Writes the field unless {@code value} is null. */
    void valueField(byte[] name, Object value) {
        if (value != null) {
            name(name);
            value(value);
        }
    }

    private void name(byte[] name) {
        if (hasField) {
            writeByte(',');
        }
        hasField = true;
        writeBytes(name);
    }

    /**
     * Any JSON-like value.
     *
     * @throws IllegalArgumentException for anything else, rather than store it as something it is not
     */
    void value(Object value) {
        switch (value) {
            case null -> writeBytes(NULL);
            case String s -> string(s);
            case Boolean b -> writeBytes(b ? TRUE : FALSE);
            case Integer i -> digits(i);
            case Long l -> digits(l);
            case Double d -> number(d);
            case Float f -> {
                if (Float.isFinite(f)) {
                    ascii(Float.toString(f));
                } else {
                    string(Float.toString(f));
                }
            }
            case Short s -> ascii(Short.toString(s));
            case Byte b -> ascii(Byte.toString(b));
            case BigInteger b -> ascii(b.toString());
            case BigDecimal b -> ascii(b.toString());
            case Map<?, ?> m -> {
                writeByte('{');
                boolean first = true;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!first) {
                        writeByte(',');
                    }
                    first = false;
                    string(String.valueOf(e.getKey()));
                    writeByte(':');
                    value(e.getValue());
                }
                writeByte('}');
            }
            case Collection<?> c -> {
                writeByte('[');
                boolean first = true;
                for (Object o : c) {
                    if (!first) {
                        writeByte(',');
                    }
                    first = false;
                    value(o);
                }
                writeByte(']');
            }
            default -> throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
        }
    }

    private void number(double d) {
        if (d == (long) d && Math.abs(d) < 1e7 && (d != 0 || Double.doubleToRawLongBits(d) == 0)) {
            // what Double.toString writes for a whole number below 10^7 (but -0.0): its digits and
            // ".0". Whole numbers are most of the doubles written (coordinates, durations, metrics),
            // and Double.toString's shortest-digits search was ~5 % of the request threads' samples
            digits((long) d);
            writeByte('.');
            writeByte('0');
        } else if (Double.isFinite(d)) {
            ascii(Double.toString(d));
        } else {
            string(Double.toString(d));
        }
    }

    /** A long's decimal digits, as {@link Long#toString(long)} writes them, without making that String. */
    private void digits(long v) {
        if (v == Long.MIN_VALUE) {
            ascii(Long.toString(v));
            return;
        }
        ensure(20);
        if (v < 0) {
            buf[size++] = '-';
            v = -v;
        }
        int end = size + digitCount(v);
        int p = end;
        do {
            buf[--p] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        } while (v != 0);
        size = end;
    }

    private static int digitCount(long v) {
        int n = 1;
        for (long limit = 10; n < 19 && v >= limit; limit *= 10) {
            n++;
        }
        return n;
    }

    void string(String s) {
        int n = s.length();
        ensure(n * 3 + 2); // a char is at most 3 bytes of UTF-8 (a pair: 4 for 2 chars), \\u00XX is 6 bytes for 1
        byte[] b = buf;
        int p = size;
        b[p++] = '"';
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                byte escape = ESCAPES[c];
                if (escape == 0) {
                    b[p++] = (byte) c;
                    continue;
                }
                // an escape is up to 6 bytes where 3 were reserved: make room for the worst case
                size = p;
                ensure(6 + (n - i) * 3 + 1);
                b = buf;
                b[p++] = '\\';
                b[p++] = escape;
                if (escape == 'u') {
                    b[p++] = '0';
                    b[p++] = '0';
                    b[p++] = HEX[c >> 4];
                    b[p++] = HEX[c & 0xf];
                }
            } else if (c < 0x800) {
                b[p++] = (byte) (0xc0 | (c >> 6));
                b[p++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    b[p++] = (byte) (0xf0 | (cp >> 18));
                    b[p++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                    b[p++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                    b[p++] = (byte) (0x80 | (cp & 0x3f));
                } else {
                    b[p++] = (byte) 0xef; // U+FFFD
                    b[p++] = (byte) 0xbf;
                    b[p++] = (byte) 0xbd;
                }
            } else {
                b[p++] = (byte) (0xe0 | (c >> 12));
                b[p++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                b[p++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        b[p++] = '"';
        size = p;
    }

    private void ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[size++] = (byte) s.charAt(i);
        }
    }

    private void writeByte(char c) {
        ensure(1);
        buf[size++] = (byte) c;
    }

    private void writeBytes(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, size, bytes.length);
        size += bytes.length;
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }
}
