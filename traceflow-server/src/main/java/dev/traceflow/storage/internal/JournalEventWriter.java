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
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import static dev.traceflow.storage.internal.JournalEventCodec.*;

/** Writes events in {@link JournalEventCodec}'s format 2 into a growing buffer; one per encode, not thread-safe. */
final class JournalEventWriter {

    private byte[] buf;
    private int size;
    private final String[] previous = new String[SLOTS];

    /** @param buffer where to write, grown when too small; any content is overwritten */
    JournalEventWriter(byte[] buffer) {
        buf = buffer;
    }

    /** The buffer written into: the one given, or the larger one it grew into. */
    byte[] buffer() {
        return buf;
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
