package dev.traceflow.realtime.internal.broker;

import dev.traceflow.realtime.PreparedText;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;

/** A client's end in tests: keeps every message sent to it, parsed, and the close. */
final class RecordingChannel implements ClientChannel {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final List<JsonNode> received = new ArrayList<>();
    private final List<String> raw = new ArrayList<>();
    private final List<Integer> preparedRuns = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private CloseReason closedWith;

    @Override
    public synchronized void send(String json) {
        raw.add(json);
        received.add(JSON.readTree(json));
    }

    /** Events also go to {@link #events}, as handed over (the instance, not a copy). */
    @Override
    public synchronized void sendEvent(String json) {
        events.add(json);
        send(json);
    }

    @Override
    public synchronized void sendPrepared(List<PreparedText> burst) {
        preparedRuns.add(burst.size());
        for (PreparedText message : burst) {
            send(message.json());
        }
    }

    /** The size of each run of prepared messages handed over at once, in order. */
    synchronized List<Integer> preparedRuns() {
        return List.copyOf(preparedRuns);
    }

    @Override
    public synchronized void close(CloseReason reason) {
        if (closedWith == null) {
            closedWith = reason;
        }
    }

    synchronized List<JsonNode> received() {
        return List.copyOf(received);
    }

    synchronized List<JsonNode> ofType(String type) {
        return received.stream().filter(m -> m.path("type").asString().equals(type)).toList();
    }

    /** The seqs of the events received on a topic, in arrival order. */
    synchronized List<Long> seqs(String topic) {
        List<Long> seqs = new ArrayList<>();
        for (JsonNode m : received) {
            if (m.path("type").asString().equals("event") && m.path("topic").asString().equals(topic)) {
                seqs.add(m.path("seq").asLong());
            }
        }
        return seqs;
    }

    /** The messages as sent, text for text. */
    synchronized List<String> raw() {
        return List.copyOf(raw);
    }

    /** What came through {@link ClientChannel#sendEvent}, in order. */
    synchronized List<String> events() {
        return List.copyOf(events);
    }

    synchronized JsonNode last() {
        return received.isEmpty() ? null : received.getLast();
    }

    synchronized CloseReason closedWith() {
        return closedWith;
    }

    synchronized void forget() {
        received.clear();
    }
}
