package dev.traceflow.realtime.internal.broker;

import dev.traceflow.realtime.internal.broker.BrokerFixture.Client;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two brokers ("instances") sharing topics through a {@link TopicStore}, on a store in memory that
 * the test drives: it holds each topic's epoch, seq and history as Redis does, and hands its
 * messages to each instance only when the test says (or loses some), so what the broker does with
 * late, repeated and missing messages is in view. Redis itself: {@code RealtimeRedisIT}.
 */
class SharedTopicsTest {

    /** The store: one epoch, seq and history per topic, and what each instance has not been handed yet. */
    static final class Store implements TopicStore {
        final Map<String, String> epochs = new HashMap<>();
        final Map<String, List<String>> histories = new HashMap<>();
        final Map<String, Long> ids = new HashMap<>();
        final Map<Broker, List<String[]>> channel = new HashMap<>();

        void join(Broker broker) {
            channel.put(broker, new ArrayList<>());
            broker.shareTopicsThrough(this);
        }

        private String epoch(String key) {
            return epochs.computeIfAbsent(key, k -> "ep" + epochs.size());
        }

        @Override
        public synchronized Published publish(String appId, String topic, String id, String eventPrefix, String eventSuffix) {
            String key = appId + "/" + topic;
            String epoch = epoch(key);
            Long seen = ids.get(key + "/" + id);
            if (seen != null) {
                return new Published(topic, id, seen, epoch, true);
            }
            List<String> history = histories.computeIfAbsent(key, k -> new ArrayList<>());
            long seq = history.size() + 1;
            String json = eventPrefix + seq + eventSuffix;
            history.add(json);
            ids.put(key + "/" + id, seq);
            channel.values().forEach(queue -> queue.add(new String[] {appId, topic, epoch, json}));
            return new Published(topic, id, seq, epoch, false);
        }

        @Override
        public synchronized State load(String appId, String topic) {
            String key = appId + "/" + topic;
            List<String> history = histories.getOrDefault(key, List.of());
            return new State(epoch(key), history.size(), List.copyOf(history));
        }

        @Override
        public synchronized List<String> historyAfter(String appId, String topic, String epoch, long afterSeq) {
            return load(appId, topic).history();
        }

        /** Hands the instance what the channel brought it, but the messages of the seqs in {@code lost}. */
        void deliver(Broker broker, long... lost) {
            List<String[]> pending;
            synchronized (this) {
                pending = new ArrayList<>(channel.get(broker));
                channel.get(broker).clear();
            }
            for (String[] m : pending) {
                long seq = WireFormat.storedEvent(m[3]).seq();
                if (java.util.Arrays.stream(lost).noneMatch(l -> l == seq)) {
                    broker.received(m[0], m[1], m[2], m[3]);
                }
            }
        }

        /** The instance never hears of what the channel brought so far. */
        synchronized void forget(Broker broker) {
            channel.get(broker).clear();
        }
    }

    private final Store store = new Store();
    private final BrokerFixture one = new BrokerFixture();
    private final BrokerFixture two = new BrokerFixture();

    {
        store.join(one.broker);
        store.join(two.broker);
    }

    @Test
    void publishesOnEitherInstance_takeOneSeq_andReachSubscribersOnBoth() {
        Client onOne = one.connect("shop");
        Client onTwo = two.connect("shop");
        onOne.subscribe("orders:1");
        onTwo.subscribe("orders:1");
        Client publisher = two.connect("shop");

        one.connect("shop").publish("orders:1", "a", "1");
        publisher.publish("orders:1", "b", "2");
        publisher.publish("orders:1", "a", "1");
        store.deliver(one.broker);
        store.deliver(two.broker);
        one.flush();
        two.flush();

        assertThat(onOne.channel().seqs("orders:1")).containsExactly(1L, 2L);
        assertThat(onTwo.channel().seqs("orders:1")).containsExactly(1L, 2L);
        assertThat(onOne.subscribed("orders:1").path("epoch").asString()).isEqualTo(onTwo.subscribed("orders:1").path("epoch").asString());
        assertThat(publisher.channel().ofType("ack").stream().map(m -> m.path("seq").asLong()).toList())
                .as("the repeated id is answered with its first seq").containsExactly(2L, 1L);
    }

    @Test
    void aTopicNewToAnInstance_readsTheStoredHistory_soAClientResumesThere() {
        Client first = one.connect("shop");
        first.subscribe("orders:1");
        for (int i = 1; i <= 3; i++) {
            one.connect("shop").publish("orders:1", "e" + i, Integer.toString(i));
        }
        store.deliver(one.broker);
        store.forget(two.broker);
        one.flush();
        String epoch = first.subscribed("orders:1").path("epoch").asString();

        Client resumed = two.connect("shop");
        resumed.resume("orders:1", 1, epoch);
        two.flush();

        assertThat(resumed.subscribed("orders:1").path("recovered").asBoolean()).isTrue();
        assertThat(resumed.channel().seqs("orders:1")).containsExactly(2L, 3L);
    }

    @Test
    void messagesOfEventsAlreadyInTheReadState_areNotDeliveredTwice() {
        for (int i = 1; i <= 3; i++) {
            one.connect("shop").publish("orders:1", "e" + i, Integer.toString(i));
        }
        Client late = two.connect("shop");
        late.subscribe("orders:1"); // reads seq 3 before the channel's messages of 1..3 reach instance two
        one.connect("shop").publish("orders:1", "e4", "4");

        store.deliver(two.broker);
        two.flush();

        assertThat(late.subscribed("orders:1").path("seq").asLong()).isEqualTo(3);
        assertThat(late.channel().seqs("orders:1")).containsExactly(4L);
    }

    @Test
    void aMessageTheInstanceMissed_isFilledFromTheStoredHistory_inOrder() {
        Client subscriber = two.connect("shop");
        subscriber.subscribe("orders:1");
        for (int i = 1; i <= 4; i++) {
            one.connect("shop").publish("orders:1", "e" + i, Integer.toString(i));
        }

        store.deliver(two.broker, 2, 3);
        two.flush();

        assertThat(subscriber.channel().seqs("orders:1")).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void messagesLostWithNoLaterEvent_areDeliveredByACatchUp_inOrderAndOnce() {
        Client subscriber = two.connect("shop");
        subscriber.subscribe("orders:1");
        one.connect("shop").publish("orders:1", "e1", "1");
        store.deliver(two.broker);
        for (int i = 2; i <= 4; i++) {
            one.connect("shop").publish("orders:1", "e" + i, Integer.toString(i));
        }
        store.forget(two.broker); // the channel was down: 2..4 never reach instance two, and nothing follows

        two.broker.catchUpFromStore();
        two.broker.catchUpFromStore();
        two.flush();

        assertThat(subscriber.channel().seqs("orders:1")).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void aCatchUp_withNothingMissed_deliversNothing() {
        Client subscriber = two.connect("shop");
        subscriber.subscribe("orders:1");
        for (int i = 1; i <= 2; i++) {
            one.connect("shop").publish("orders:1", "e" + i, Integer.toString(i));
        }
        store.deliver(two.broker);

        two.broker.catchUpFromStore();
        two.flush();

        assertThat(subscriber.channel().seqs("orders:1")).containsExactly(1L, 2L);
    }

    @Test
    void anEventOfAnotherEpoch_startsTheTopicOverHere() {
        Client subscriber = two.connect("shop");
        subscriber.subscribe("orders:1");
        two.flush();
        String before = subscriber.subscribed("orders:1").path("epoch").asString();
        one.connect("shop").publish("orders:1", "e1", "1");
        store.deliver(two.broker);

        two.broker.received("shop", "orders:1", "fresh", WireFormat.event("orders:1", "9", "x", 1, 0));
        two.flush();
        Client resuming = two.connect("shop");
        resuming.resume("orders:1", 1, before);
        two.flush();

        assertThat(subscriber.channel().seqs("orders:1")).containsExactly(1L, 1L);
        assertThat(resuming.subscribed("orders:1").path("recovered").asBoolean()).as("the old epoch means nothing now").isFalse();
        assertThat(resuming.subscribed("orders:1").path("epoch").asString()).isEqualTo("fresh");
    }

    @Test
    void aStoreThatCannotBeReached_refusesSubscribesAndPublishesWithUnavailable_andTheConnectionStays() {
        BrokerFixture alone = new BrokerFixture();
        alone.broker.shareTopicsThrough(new TopicStore() {
            @Override
            public Published publish(String appId, String topic, String id, String eventPrefix, String eventSuffix) throws PublishRefused {
                throw new PublishRefused(ErrorCode.UNAVAILABLE, "down");
            }

            @Override
            public State load(String appId, String topic) throws PublishRefused {
                throw new PublishRefused(ErrorCode.UNAVAILABLE, "down");
            }

            @Override
            public List<String> historyAfter(String appId, String topic, String epoch, long afterSeq) throws PublishRefused {
                throw new PublishRefused(ErrorCode.UNAVAILABLE, "down");
            }
        });
        Client client = alone.connect("shop");

        client.subscribe("orders:1");
        client.publish("orders:1", "a", "1");
        client.send("{\"type\":\"ping\"}");
        alone.flush();

        assertThat(client.channel().ofType("error").stream().map(m -> m.path("code").asString() + " " + m.path("topic").asString()))
                .containsExactly("UNAVAILABLE orders:1", "UNAVAILABLE orders:1");
        assertThat(client.channel().ofType("subscribed")).isEmpty();
        assertThat(client.channel().ofType("pong")).hasSize(1);
    }
}
