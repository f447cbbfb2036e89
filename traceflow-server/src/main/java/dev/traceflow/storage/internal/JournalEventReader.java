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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.traceflow.storage.internal.JournalEventCodec.*;

/** Reads events written by {@link JournalEventWriter}; one per decode, not thread-safe. */
final class JournalEventReader {

    private final byte[] buf;
    private int pos;
    private final String[] previous = new String[SLOTS];

    JournalEventReader(byte[] buf) {
        this.buf = buf;
    }

    /** Bytes not read yet. */
    int remaining() {
        return buf.length - pos;
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
