package dev.traceflow.realtime.internal.websocket;

import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

import java.io.IOException;

/**
 * Whole messages out of the parts Tomcat hands over. Tomcat gives every WebSocket session a
 * text buffer of its configured size up front (a {@code char[]}, two bytes a character): sized for
 * the largest message (twice the message limit, 128 Ki characters) it was 256 KiB of heap per idle
 * connection, measured by {@code realtime-bench.sh}. With a small buffer and partial messages, a
 * session holds a builder only while a message longer than the buffer is arriving. The bound stays
 * what it was: a text message over {@code maxChars} or a binary one over {@code maxBinaryBytes} closes
 * the session with 1009 (too big), and the rest of it is not kept.
 */
final class WholeMessages {

    private static final String STATE = "traceflow.realtime.textParts";

    private final int maxChars;
    private final int maxBinaryBytes;

    /**
     * @param maxChars       the longest text message taken, in characters (the handlers answer MESSAGE_TOO_LARGE below that)
     * @param maxBinaryBytes the longest binary message taken (answered BAD_MESSAGE: binary is no part of the protocol)
     */
    WholeMessages(int maxChars, int maxBinaryBytes) {
        this.maxChars = maxChars;
        this.maxBinaryBytes = maxBinaryBytes;
    }

    /** What one session has of a message still arriving; {@code discarding} after one was too large, until its last part. */
    private static final class Parts {
        StringBuilder text;
        long binaryBytes;
        boolean discarding;
    }

    /**
     * Adds one part of a text message.
     *
     * @return the whole message when {@code part} is its last part, else null (more to come, or the message was too
     *         large and the session is being closed with 1009)
     */
    String add(WebSocketSession session, TextMessage part) {
        Parts parts = (Parts) session.getAttributes().get(STATE);
        String payload = part.getPayload();
        if (parts == null) {
            if (part.isLast() && payload.length() <= maxChars) {
                return payload; // the common case, a message in one part: no copy, no state
            }
            parts = new Parts();
            session.getAttributes().put(STATE, parts);
        }
        if (!parts.discarding) {
            if (parts.text == null) {
                parts.text = new StringBuilder(payload);
            } else {
                parts.text.append(payload);
            }
            if (parts.text.length() > maxChars) {
                parts.text = null;
                parts.discarding = true;
                close(session);
            }
        }
        if (!part.isLast()) {
            return null;
        }
        session.getAttributes().remove(STATE);
        return parts.discarding ? null : parts.text.toString();
    }

    /**
     * Counts one part of a binary message (its content is never needed).
     *
     * @return true when {@code part} is the last part of a message within the bound; false while more parts are to
     *         come, or when the message was too large and the session is being closed with 1009
     */
    boolean binaryEnds(WebSocketSession session, BinaryMessage part) {
        Parts parts = (Parts) session.getAttributes().get(STATE);
        if (parts == null) {
            if (part.isLast() && part.getPayloadLength() <= maxBinaryBytes) {
                return true;
            }
            parts = new Parts();
            session.getAttributes().put(STATE, parts);
        }
        if (!parts.discarding) {
            parts.binaryBytes += part.getPayloadLength();
            if (parts.binaryBytes > maxBinaryBytes) {
                parts.discarding = true;
                close(session);
            }
        }
        if (!part.isLast()) {
            return false;
        }
        session.getAttributes().remove(STATE);
        return !parts.discarding;
    }

    private static void close(WebSocketSession session) {
        try {
            session.close(CloseStatus.TOO_BIG_TO_PROCESS);
        } catch (IOException | RuntimeException e) {
            // already closing: the session is gone either way
        }
    }
}
