package dev.traceflow.realtime.internal;

import dev.traceflow.realtime.RealtimePublisher;
import dev.traceflow.realtime.internal.broker.Broker;
import dev.traceflow.realtime.internal.broker.PublishRefused;
import dev.traceflow.realtime.internal.broker.TopicNames;
import dev.traceflow.realtime.internal.broker.WireFormat;
import org.springframework.stereotype.Component;

/** {@link RealtimePublisher} straight onto the broker. */
@Component
class BrokerPublisher implements RealtimePublisher {

    private final Broker broker;

    BrokerPublisher(Broker broker) {
        this.broker = broker;
    }

    @Override
    public long publish(String appId, String topic, String payloadJson, String id) {
        if (!TopicNames.valid(topic)) {
            throw new IllegalArgumentException("invalid topic: " + TopicNames.rule());
        }
        if (id == null || id.isEmpty() || id.length() > WireFormat.MAX_ID_CHARS) {
            throw new IllegalArgumentException("an id is 1-" + WireFormat.MAX_ID_CHARS + " characters");
        }
        try {
            return broker.publish(appId, topic, payloadJson, id).seq();
        } catch (PublishRefused e) {
            throw new RealtimePublishRefused(e.code().name(), e.getMessage());
        }
    }
}
