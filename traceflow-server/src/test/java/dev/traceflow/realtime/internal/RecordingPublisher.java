package dev.traceflow.realtime.internal;

import dev.traceflow.realtime.RealtimePublisher;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;

/** A publisher for the server's own topics' tests: keeps what was published, in order, or refuses as the broker would. */
final class RecordingPublisher implements RealtimePublisher {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    record Published(String appId, String topic, JsonNode payload, String id) {
    }

    final List<Published> published = new ArrayList<>();
    /** While true, every publish is refused with {@code RATE_LIMITED}. */
    boolean refusing;

    @Override
    public long publish(String appId, String topic, String payloadJson, String id) {
        if (refusing) {
            throw new RealtimePublishRefused("RATE_LIMITED", "slow down");
        }
        published.add(new Published(appId, topic, JSON.readTree(payloadJson), id));
        return published.size();
    }
}
