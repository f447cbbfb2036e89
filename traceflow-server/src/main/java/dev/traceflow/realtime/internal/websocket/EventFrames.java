package dev.traceflow.realtime.internal.websocket;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * The UTF-8 payloads of one transport's text frames for the events being fanned out, made once per
 * event instead of once per subscriber. The broker hands every subscriber of a topic the same
 * {@code String} instance of an event ({@link dev.traceflow.realtime.internal.broker.ClientChannel#sendEvent}),
 * so the first subscriber's writer encodes it and the others find it by identity.
 * <p>
 * A small direct-mapped table: an event's slot is chosen by its text's hash, and a collision or an
 * event that left the table simply encodes again (a subscriber far behind the others pays what every
 * subscriber paid before). Bounded, so no frame outlives its fan-out by long, and the events a
 * topic's history keeps cost no more memory than their text.
 * <p>
 * Threads: any. A slot holds an immutable entry that is replaced whole; its fields are final, so a
 * reader racing a writer sees either entry complete, never a half-made one.
 */
final class EventFrames {

    /** Slots: more than the events normally in flight at once (a few windows of unacknowledged events). */
    static final int SLOTS = 256;

    private record Entry(String json, byte[] frame) {
    }

    private final Function<String, byte[]> framing;
    private final Entry[] slots = new Entry[SLOTS];

    /** @param framing an event's API.md JSON to the transport's frame payload, in UTF-8 */
    EventFrames(Function<String, byte[]> framing) {
        this.framing = framing;
    }

    /** The frames of {@code /ws}: the event's JSON itself. */
    static EventFrames plain() {
        return new EventFrames(json -> json.getBytes(StandardCharsets.UTF_8));
    }

    /** The frame payload of {@code json}; the same array for every call with the same instance while it stays in the table. */
    byte[] frame(String json) {
        int h = json.hashCode();
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        Entry entry = slots[slot];
        if (entry != null && entry.json == json) {
            return entry.frame;
        }
        byte[] frame = framing.apply(json);
        slots[slot] = new Entry(json, frame);
        return frame;
    }
}
