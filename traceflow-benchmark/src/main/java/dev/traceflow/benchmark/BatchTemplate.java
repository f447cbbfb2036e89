package dev.traceflow.benchmark;

/**
 * One precomputed request body whose event ids are {@value EventIdSequence#WIDTH}-character
 * placeholders, to be overwritten in place before each send: a TraceFlow {@code {"events":[...]}}
 * batch, one event, or a Sentry envelope.
 *
 * @param body           the UTF-8 body; callers copy it before stamping ids
 * @param eventIdOffsets byte offsets in {@code body} of each placeholder, one per event
 * @param userAgent      the browser that "sent" the batch, for the {@code User-Agent} request header
 * @param echoOffsets    byte offsets of slots that repeat the first event's id rather than take a
 *                       new one: a Sentry envelope header's {@code event_id} names its event
 */
public record BatchTemplate(byte[] body, int[] eventIdOffsets, String userAgent, int[] echoOffsets) {

    /** A body whose every id slot is an event of its own. */
    public BatchTemplate(byte[] body, int[] eventIdOffsets, String userAgent) {
        this(body, eventIdOffsets, userAgent, new int[0]);
    }

    /** Events in this batch. */
    public int eventCount() {
        return eventIdOffsets.length;
    }
}
