package dev.traceflow.benchmark;

import java.nio.charset.StandardCharsets;

/**
 * A complete HTTP/1.1 POST (request line, headers including the batch's {@code User-Agent}, body)
 * encoded once, with the byte offsets of its
 * event id placeholders. A load thread keeps its own copy of the bytes and stamps fresh ids into
 * them before every send; the length never changes, so neither does {@code Content-Length}.
 *
 * @param bytes          the request, ready to write to a socket
 * @param eventIdOffsets offsets in {@code bytes} of the {@value EventIdSequence#WIDTH}-byte id slots
 */
public record PreparedRequest(byte[] bytes, int[] eventIdOffsets) {

    /**
     * Encodes a POST of {@code template}'s body.
     *
     * @param path      e.g. {@code /api/collect/batch}
     * @param hostPort  the {@code Host} header value, e.g. {@code 127.0.0.1:8080}
     * @param ingestKey sent as {@code X-TraceFlow-Key}
     */
    public static PreparedRequest post(BatchTemplate template, String path, String hostPort, String ingestKey) {
        byte[] body = template.body();
        String head = "POST " + path + " HTTP/1.1\r\n"
                + "Host: " + hostPort + "\r\n"
                + "Content-Type: application/json\r\n"
                + "X-TraceFlow-Key: " + ingestKey + "\r\n"
                + "User-Agent: " + template.userAgent() + "\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "\r\n";
        byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, bytes, 0, headBytes.length);
        System.arraycopy(body, 0, bytes, headBytes.length, body.length);
        int[] offsets = template.eventIdOffsets().clone();
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] += headBytes.length;
        }
        return new PreparedRequest(bytes, offsets);
    }

    /** Events in the body. */
    public int eventCount() {
        return eventIdOffsets.length;
    }

    /** A copy whose bytes the caller may overwrite without affecting other threads. */
    public PreparedRequest privateCopy() {
        return new PreparedRequest(bytes.clone(), eventIdOffsets);
    }

    /** Overwrites every id slot with the next ids of {@code ids}. */
    public void stampEventIds(EventIdSequence ids) {
        for (int offset : eventIdOffsets) {
            ids.writeNext(bytes, offset);
        }
    }
}
