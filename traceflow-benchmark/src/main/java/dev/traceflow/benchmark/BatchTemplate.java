package dev.traceflow.benchmark;

/**
 * One precomputed {@code {"events":[...]}} request body whose {@code eventId} values are
 * {@value EventIdSequence#WIDTH}-character placeholders, to be overwritten in place before each send.
 *
 * @param body           the UTF-8 JSON body; callers copy it before stamping ids
 * @param eventIdOffsets byte offsets in {@code body} of each placeholder, one per event
 * @param userAgent      the browser that "sent" the batch, for the {@code User-Agent} request header
 */
public record BatchTemplate(byte[] body, int[] eventIdOffsets, String userAgent) {

    /** Events in this batch. */
    public int eventCount() {
        return eventIdOffsets.length;
    }
}
