package dev.traceflow.realtime;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A text message (API.md JSON) encoded once for the many connections it goes to: a build log line
 * reaches each of its followers as the same bytes, so they are made once, not once per connection.
 * Hand it to {@link StreamClient#sendPrepared}; a transport that sends other bytes than the JSON
 * itself (Socket.IO) sends {@link #json()}. Immutable.
 */
public final class PreparedText {

    private final String json;
    private final byte[] utf8;

    private PreparedText(String json) {
        this.json = Objects.requireNonNull(json, "json");
        this.utf8 = json.getBytes(StandardCharsets.UTF_8);
    }

    public static PreparedText of(String json) {
        return new PreparedText(json);
    }

    public String json() {
        return json;
    }

    /** The length of the UTF-8 encoding, in bytes. */
    public int byteLength() {
        return utf8.length;
    }

    /** Copies the UTF-8 encoding into {@code out}, which has at least {@link #byteLength()} bytes of room. */
    public void copyTo(ByteBuffer out) {
        out.put(utf8);
    }

    /** The UTF-8 encoding as a read-only buffer over the shared bytes (no copy). */
    public ByteBuffer bytes() {
        return ByteBuffer.wrap(utf8).asReadOnlyBuffer();
    }

    @Override
    public String toString() {
        return json;
    }
}
