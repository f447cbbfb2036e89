package dev.traceflow.http;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.MDC;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** The per-request trace id: in the MDC (so every log line has it), a request attribute and a header. */
public final class TraceIds {

    public static final String MDC_KEY = "traceId";
    public static final String HEADER = "X-Trace-Id";
    static final String ATTRIBUTE = TraceIds.class.getName();

    private TraceIds() {
    }

    /** The current request's trace id; a fresh one when called outside a traced request. */
    public static String current(HttpServletRequest request) {
        Object id = request == null ? null : request.getAttribute(ATTRIBUTE);
        if (id != null) {
            return id.toString();
        }
        String fromMdc = MDC.get(MDC_KEY);
        return fromMdc != null ? fromMdc : newId();
    }

    /** 128 random bits as 32 hex chars, the W3C trace-id format. */
    static String newId() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(r.nextLong()) + HexFormat.of().toHexDigits(r.nextLong());
    }

    /** The trace id of a W3C {@code traceparent} header, or null when absent or malformed. */
    static String fromTraceparent(String header) {
        if (header == null || header.length() < 55) {
            return null;
        }
        String id = header.substring(3, 35);
        if (header.charAt(2) != '-' || header.charAt(35) != '-' || !id.chars().allMatch(TraceIds::isLowerHex)
                || id.chars().allMatch(c -> c == '0')) {
            return null;
        }
        return id;
    }

    private static boolean isLowerHex(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    }
}
