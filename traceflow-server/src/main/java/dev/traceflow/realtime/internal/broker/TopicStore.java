package dev.traceflow.realtime.internal.broker;

import java.util.List;

/**
 * Where topics are sequenced and kept when several server instances share them (Redis): every
 * instance publishes through it, and it brings every event back to every instance's broker
 * ({@link Broker#received}) in the topic's order. Without one, the broker sequences in memory.
 */
public interface TopicStore {

    /**
     * Sequences one event: the next {@code seq} of the topic across every instance, appended to the
     * shared history, and sent to every instance; or, for an {@code id} seen within the idempotency
     * window, the first outcome again (nothing is sent).
     *
     * @param eventPrefix the event's JSON up to its {@code seq} value ({@code ...,"seq":})
     * @param eventSuffix the event's JSON after it ({@code ,"ts":...})
     * @throws PublishRefused {@link ErrorCode#UNAVAILABLE} when the store cannot be reached
     */
    Published publish(String appId, String topic, String id, String eventPrefix, String eventSuffix) throws PublishRefused;

    /** The topic as the store has it now: its epoch (made when it has none), last seq and history (oldest first). */
    State load(String appId, String topic) throws PublishRefused;

    /** The history after {@code afterSeq}, oldest first (to fill a gap in what reached this instance). */
    List<String> historyAfter(String appId, String topic, String epoch, long afterSeq) throws PublishRefused;

    /** @param history each event's JSON, as {@link WireFormat#event} writes it */
    record State(String epoch, long lastSeq, List<String> history) {
    }
}
