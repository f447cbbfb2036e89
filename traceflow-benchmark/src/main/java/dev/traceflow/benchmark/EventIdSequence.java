package dev.traceflow.benchmark;
import java.nio.charset.StandardCharsets;

/**
 * Writes unique, fixed-width event ids straight into request bytes, so a load thread can stamp the
 * {@value #WIDTH}-character placeholders of a prepared batch without building any string or JSON.
 *
 * <p>An id is {@code <run tag: 4 chars><stream: 3 hex><sequence: 9 hex>}, e.g. {@code k3x9a0f00000002a}.
 * The run tag keeps reruns against the same server from colliding (the server stores a repeated
 * {@code eventId} once, which would break the stored == accepted check); the stream id is unique per
 * connection per phase within a run; the sequence counts events sent on that stream.
 */
public final class EventIdSequence {

    /** Width of every id, in characters (= bytes, ids are ASCII). */
    public static final int WIDTH = 16;
    /** Length of the per-run tag, in characters. */
    public static final int RUN_TAG_LENGTH = 4;
    /** Streams available per run: 3 hex digits. */
    public static final int MAX_STREAMS = 1 << 12;
    private static final long MAX_SEQUENCE = (1L << 36) - 1;
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private final byte[] prefix = new byte[RUN_TAG_LENGTH + 3];
    private long sequence;

    /**
     * @param runTag   {@value #RUN_TAG_LENGTH} ASCII letters or digits identifying this run
     * @param streamId unique per connection and phase in this run, in [0, {@value #MAX_STREAMS})
     */
    public EventIdSequence(String runTag, int streamId) {
        if (runTag.length() != RUN_TAG_LENGTH || !runTag.chars().allMatch(c -> c < 128 && Character.isLetterOrDigit(c))) {
            throw new IllegalArgumentException("run tag must be " + RUN_TAG_LENGTH + " ASCII letters/digits: " + runTag);
        }
        if (streamId < 0 || streamId >= MAX_STREAMS) {
            throw new IllegalArgumentException("stream id out of range: " + streamId);
        }
        for (int i = 0; i < RUN_TAG_LENGTH; i++) {
            prefix[i] = (byte) runTag.charAt(i);
        }
        prefix[4] = HEX[(streamId >>> 8) & 0xF];
        prefix[5] = HEX[(streamId >>> 4) & 0xF];
        prefix[6] = HEX[streamId & 0xF];
    }

    /** Writes the next id into {@code target[offset .. offset + WIDTH)}. */
    public void writeNext(byte[] target, int offset) {
        if (sequence > MAX_SEQUENCE) {
            throw new IllegalStateException("event id sequence exhausted");
        }
        long value = sequence++;
        System.arraycopy(prefix, 0, target, offset, prefix.length);
        for (int i = offset + WIDTH - 1; i >= offset + prefix.length; i--) {
            target[i] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }

    /** Number of ids written so far. */
    public long issued() {
        return sequence;
    }
}
