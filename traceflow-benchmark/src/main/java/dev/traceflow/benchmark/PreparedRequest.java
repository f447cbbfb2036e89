package dev.traceflow.benchmark;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * A complete HTTP/1.1 POST (request line, headers including the batch's {@code User-Agent}, body)
 * encoded once, with the byte offsets of its
 * event id placeholders. A load thread keeps its own copy of the bytes and stamps fresh ids into
 * them before every send; the length never changes, so neither does {@code Content-Length}.
 *
 * @param bytes          the request, ready to write to a socket
 * @param eventIdOffsets offsets in {@code bytes} of the {@value EventIdSequence#WIDTH}-byte id slots
 * @param echoOffsets    offsets of slots that repeat the first event's id (see {@link BatchTemplate})
 */
public record PreparedRequest(byte[] bytes, int[] eventIdOffsets, int[] echoOffsets) {

    /**
     * Encodes a POST of {@code template}'s body to a TraceFlow ingest endpoint, as JSON with the key.
     *
     * @param path      e.g. {@code /api/collect/batch}
     * @param hostPort  the {@code Host} header value, e.g. {@code 127.0.0.1:8080}
     * @param ingestKey sent as {@code X-TraceFlow-Key}
     */
    public static PreparedRequest post(BatchTemplate template, String path, String hostPort, String ingestKey) {
        return post(template, path, hostPort, "application/json", Map.of("X-TraceFlow-Key", ingestKey));
    }

    /**
     * Encodes a POST of {@code template}'s body.
     *
     * @param pathAndQuery e.g. {@code /api/1/envelope/?sentry_key=...}
     * @param contentType  the {@code Content-Type} header
     * @param headers      further headers (authentication), in iteration order
     */
    public static PreparedRequest post(BatchTemplate template, String pathAndQuery, String hostPort, String contentType,
                                       Map<String, String> headers) {
        byte[] body = template.body();
        StringBuilder head = new StringBuilder("POST ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostPort).append("\r\n")
                .append("Content-Type: ").append(contentType).append("\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("User-Agent: ").append(template.userAgent()).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[headBytes.length + body.length];
        System.arraycopy(headBytes, 0, bytes, 0, headBytes.length);
        System.arraycopy(body, 0, bytes, headBytes.length, body.length);
        return new PreparedRequest(bytes, shifted(template.eventIdOffsets(), headBytes.length),
                shifted(template.echoOffsets(), headBytes.length));
    }

    private static int[] shifted(int[] offsets, int by) {
        int[] moved = offsets.clone();
        for (int i = 0; i < moved.length; i++) {
            moved[i] += by;
        }
        return moved;
    }

    /** Events in the body. */
    public int eventCount() {
        return eventIdOffsets.length;
    }

    /** A copy whose bytes the caller may overwrite without affecting other threads. */
    public PreparedRequest privateCopy() {
        return new PreparedRequest(bytes.clone(), eventIdOffsets, echoOffsets);
    }

    /** Overwrites every id slot with the next ids of {@code ids}, and the echo slots with the first of them. */
    public void stampEventIds(EventIdSequence ids) {
        for (int offset : eventIdOffsets) {
            ids.writeNext(bytes, offset);
        }
        for (int offset : echoOffsets) {
            System.arraycopy(bytes, eventIdOffsets[0], bytes, offset, EventIdSequence.WIDTH);
        }
    }
}
