package dev.traceflow.realtime.internal.broker;

/**
 * One sequenced event of a topic, shared by its history and every subscriber's send queue.
 *
 * @param json  the {@code {type:'event'}} message, built once
 * @param ts    when it was sequenced, epoch milliseconds (the server's clock)
 */
record PublishedEvent(long seq, String id, long ts, String json) {

    /** What the event costs in memory, roughly: its JSON text (Latin-1 strings take a byte a character) and the record. */
    long bytes() {
        return json.length() + 64L;
    }
}
