package dev.traceflow.realtime.internal.broker;

import dev.traceflow.realtime.internal.broker.BrokerFixture.Client;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The broker's topics: delivery, sequence, resume, history and their limits, driven by a manual clock and executor (no waiting, no timing). */
class BrokerTest {

    private final BrokerFixture f = new BrokerFixture();

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void publish_reachesEverySubscriber_asAnEventWithSeqAndTs_andTheChosenPayload_andIsAckedToThePublisher() {
        Client alice = f.connect("shop");
        Client bob = f.connect("shop");
        alice.subscribe("orders:1");
        bob.subscribe("orders:1");
        Client backend = f.connect("shop");

        backend.publish("orders:1", "o-1", "{\"total\":12.50,\"items\":[1,2]}");
        f.flush();

        for (Client c : List.of(alice, bob)) {
            JsonNode subscribed = c.subscribed("orders:1");
            assertThat(subscribed.path("seq").asLong()).isZero();
            assertThat(subscribed.path("recovered").asBoolean()).isFalse();
            assertThat(subscribed.path("epoch").asString()).isNotEmpty();
            JsonNode event = c.channel().ofType("event").getFirst();
            assertThat(event.path("topic").asString()).isEqualTo("orders:1");
            assertThat(event.path("id").asString()).isEqualTo("o-1");
            assertThat(event.path("seq").asLong()).isEqualTo(1);
            assertThat(event.path("ts").asLong()).isEqualTo(f.time.millis());
            assertThat(c.channel().raw()).as("the payload as it was written").anyMatch(m -> m.contains("\"payload\":{\"total\":12.50,\"items\":[1,2]}"));
        }
        JsonNode ack = backend.channel().ofType("ack").getFirst();
        assertThat(ack.path("id").asString()).isEqualTo("o-1");
        assertThat(ack.path("seq").asLong()).isEqualTo(1);
        assertThat(backend.channel().ofType("event")).as("the publisher did not subscribe").isEmpty();
    }

    @Test
    void seq_isPerTopic_andTopicsOfTheSameNameInTwoApps_neverMeet() {
        Client shopClient = f.connect("shop");
        Client kioskClient = f.connect("kiosk");
        shopClient.subscribe("orders:1");
        kioskClient.subscribe("orders:1");
        shopClient.subscribe("orders:2");

        f.connect("shop").publish("orders:1", "a", "1");
        f.connect("shop").publish("orders:1", "b", "2");
        f.connect("shop").publish("orders:2", "c", "3");
        f.connect("kiosk").publish("orders:1", "d", "4");
        f.flush();

        assertThat(shopClient.channel().seqs("orders:1")).containsExactly(1L, 2L);
        assertThat(shopClient.channel().seqs("orders:2")).containsExactly(1L);
        assertThat(kioskClient.channel().seqs("orders:1")).containsExactly(1L);
        assertThat(kioskClient.channel().ofType("event").getFirst().path("id").asString()).isEqualTo("d");
        assertThat(shopClient.subscribed("orders:1").path("epoch").asString())
                .isNotEqualTo(kioskClient.subscribed("orders:1").path("epoch").asString());
    }

    @Test
    void resumeWithTheCurrentEpoch_replaysWhatWasMissed_thenGoesLive_withNoGapOrDuplicate() {
        Client first = f.connect("shop");
        first.subscribe("orders:1");
        Client backend = f.connect("shop");
        backend.publish("orders:1", "e1", "1");
        backend.publish("orders:1", "e2", "2");
        f.flush();
        String epoch = first.subscribed("orders:1").path("epoch").asString();
        first.connection().close(); // the client went away after seq 2
        backend.publish("orders:1", "e3", "3");
        backend.publish("orders:1", "e4", "4");

        Client again = f.connect("shop");
        again.resume("orders:1", 2, epoch);
        backend.publish("orders:1", "e5", "5");
        f.flush();

        JsonNode subscribed = again.subscribed("orders:1");
        assertThat(subscribed.path("recovered").asBoolean()).isTrue();
        assertThat(subscribed.path("seq").asLong()).isEqualTo(4);
        assertThat(again.channel().seqs("orders:1")).containsExactly(3L, 4L, 5L);
        assertThat(again.channel().received().getFirst().path("type").asString()).isEqualTo("subscribed");
    }

    @Test
    void resumeAtTheCurrentSeq_isRecovered_withNothingToReplay() {
        Client backend = f.connect("shop");
        backend.publish("orders:1", "e1", "1");
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        f.flush();
        String epoch = c.subscribed("orders:1").path("epoch").asString();

        Client again = f.connect("shop");
        again.resume("orders:1", 1, epoch);
        f.flush();

        assertThat(again.subscribed("orders:1").path("recovered").asBoolean()).isTrue();
        assertThat(again.channel().ofType("event")).isEmpty();
    }

    @Test
    void resumeFromZero_replaysTheWholeHistory_whenItStillStartsAtOne() {
        Client backend = f.connect("shop");
        backend.publish("orders:1", "e1", "1");
        backend.publish("orders:1", "e2", "2");
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        f.flush();

        Client again = f.connect("shop");
        again.resume("orders:1", 0, c.subscribed("orders:1").path("epoch").asString());
        f.flush();

        assertThat(again.subscribed("orders:1").path("recovered").asBoolean()).isTrue();
        assertThat(again.channel().seqs("orders:1")).containsExactly(1L, 2L);
    }

    @Test
    void resumeFromAnotherEpoch_isNotRecovered_andReplaysNothing() {
        Client backend = f.connect("shop");
        backend.publish("orders:1", "e1", "1");
        Client c = f.connect("shop");

        c.resume("orders:1", 0, "not-the-epoch");
        backend.publish("orders:1", "e2", "2");
        f.flush();

        assertThat(c.subscribed("orders:1").path("recovered").asBoolean()).isFalse();
        assertThat(c.subscribed("orders:1").path("seq").asLong()).isEqualTo(1);
        assertThat(c.channel().seqs("orders:1")).containsExactly(2L);
    }

    @Test
    void resumeBeyondTheHistorySize_isNotRecovered() {
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        f.flush();
        String epoch = c.subscribed("orders:1").path("epoch").asString();
        Client backend = f.connect("shop");
        for (int i = 1; i <= 7; i++) { // history keeps 5: 3..7
            backend.publish("orders:1", "e" + i, String.valueOf(i));
        }

        Client tooFarBack = f.connect("shop");
        tooFarBack.resume("orders:1", 1, epoch);
        Client justInTime = f.connect("shop");
        justInTime.resume("orders:1", 2, epoch);
        f.flush();

        assertThat(tooFarBack.subscribed("orders:1").path("recovered").asBoolean()).isFalse();
        assertThat(tooFarBack.channel().ofType("event")).isEmpty();
        assertThat(justInTime.subscribed("orders:1").path("recovered").asBoolean()).isTrue();
        assertThat(justInTime.channel().seqs("orders:1")).isEqualTo(range(3, 7));
    }

    @Test
    void resumeAfterTheHistoryAgedOut_isNotRecovered() {
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        Client backend = f.connect("shop");
        backend.publish("orders:1", "e1", "1");
        f.flush();
        String epoch = c.subscribed("orders:1").path("epoch").asString();

        f.time.advance(Duration.ofMinutes(1).plusSeconds(1)); // history TTL is a minute
        backend.publish("orders:1", "e2", "2");
        Client again = f.connect("shop");
        again.resume("orders:1", 0, epoch);
        f.flush();

        assertThat(again.subscribed("orders:1").path("recovered").asBoolean()).isFalse();
    }

    @Test
    void resumeWithASeqTheTopicNeverReached_isNotRecovered() {
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        f.flush();

        Client again = f.connect("shop");
        again.resume("orders:1", 9, c.subscribed("orders:1").path("epoch").asString());
        f.flush();

        assertThat(again.subscribed("orders:1").path("recovered").asBoolean()).isFalse();
    }

    @Test
    void anIdleTopic_isForgotten_andComesBackWithANewEpoch() {
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        f.flush();
        String epoch = c.subscribed("orders:1").path("epoch").asString();
        c.connection().close();

        f.time.advance(Duration.ofMinutes(11)); // idle TTL is 10 minutes; the sweep runs by itself
        assertThat(f.broker.existingTopic("shop", "orders:1")).isNull();

        Client again = f.connect("shop");
        again.resume("orders:1", 0, epoch);
        f.flush();
        assertThat(again.subscribed("orders:1").path("recovered").asBoolean()).isFalse();
        assertThat(again.subscribed("orders:1").path("epoch").asString()).isNotEqualTo(epoch);
    }

    @Test
    void aTopicWithASubscriber_isNotForgotten_howeverLongItIsQuiet() {
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        f.flush();
        String epoch = c.subscribed("orders:1").path("epoch").asString();

        f.time.advance(Duration.ofHours(2));

        assertThat(f.broker.existingTopic("shop", "orders:1").epoch).isEqualTo(epoch);
    }

    @Test
    void aRepeatedPublishId_isSequencedOnce_andAnsweredWithTheFirstSeq_untilTheWindowEnds() {
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        Client backend = f.connect("shop");

        backend.publish("orders:1", "same", "1");
        backend.publish("orders:1", "other", "2");
        backend.publish("orders:1", "same", "3");
        f.flush();

        assertThat(c.channel().seqs("orders:1")).containsExactly(1L, 2L);
        assertThat(backend.channel().ofType("ack")).extracting(a -> a.path("seq").asLong()).containsExactly(1L, 2L, 1L);
        assertThat(f.counter("traceflow.realtime.events.duplicate", null, null)).isEqualTo(1);

        f.time.advance(Duration.ofMinutes(2).plusMillis(1));
        backend.publish("orders:1", "same", "4");
        f.flush();
        assertThat(backend.channel().last().path("seq").asLong()).as("a new event after the window").isEqualTo(3);
    }

    @Test
    void aTopic_takesNoMoreThanItsPublishRate_fromAllPublishersTogether() {
        BrokerFixture slowTopics = new BrokerFixture(new BrokerSettings(4096, 10, 50, 1000, 2, 5, 3, 5, 5, Duration.ofMinutes(1),
                1 << 20, Duration.ofSeconds(5), Duration.ofSeconds(20), 3, Duration.ofMinutes(2), 100, 10,
                Duration.ofMinutes(10), Duration.ofSeconds(5), Duration.ofSeconds(2)));
        Client a = slowTopics.connect("shop");
        Client b = slowTopics.connect("shop");

        a.publish("orders:1", "1", "1");
        b.publish("orders:1", "2", "2");
        a.publish("orders:1", "3", "3");
        b.publish("orders:1", "4", "4");
        b.publish("orders:1", "5", "5"); // 2 a second, bursts of 4
        a.publish("orders:2", "6", "6");
        slowTopics.flush();

        JsonNode refused = b.lastError();
        assertThat(refused.path("code").asString()).isEqualTo("RATE_LIMITED");
        assertThat(refused.path("id").asString()).isEqualTo("5");
        assertThat(refused.path("topic").asString()).isEqualTo("orders:1");
        assertThat(a.channel().ofType("ack")).as("another topic has its own rate").hasSize(3);
        assertThatThrownBy(() -> slowTopics.broker.publish("shop", "orders:1", "1", "http-1"))
                .isInstanceOf(PublishRefused.class).extracting(e -> ((PublishRefused) e).code()).isEqualTo(ErrorCode.RATE_LIMITED);
    }

    @Test
    void anApp_hasAtMostItsTopics() {
        Client c = f.connect("shop");
        for (int i = 1; i <= 10; i++) {
            c.publish("t:" + i, "e" + i, "1");
            f.flush();
        }
        c.publish("t:11", "e11", "1");
        f.flush();

        assertThat(c.lastError().path("code").asString()).isEqualTo("TOO_MANY_TOPICS");
        c.publish("t:1", "again", "1");
        f.flush();
        assertThat(c.channel().last().path("type").asString()).as("an existing topic still works").isEqualTo("ack");
        Client other = f.connect("kiosk");
        other.publish("t:11", "k", "1");
        f.flush();
        assertThat(other.channel().last().path("type").asString()).as("another app has its own count").isEqualTo("ack");
    }

    @Test
    void connectionsPerUserAndPerIp_areLimited_andFreedOnClose() throws Exception {
        Client first = f.connect("shop", "u1", "192.0.2.1", new FakeAuth());
        f.connect("shop", "u1", "192.0.2.2", new FakeAuth());
        f.connect("shop", "u1", "192.0.2.3", new FakeAuth());

        assertThat(f.broker.admits("u1", "192.0.2.4")).isFalse();
        assertThatThrownBy(() -> f.broker.open("shop", new FakeAuth(), "u1", "192.0.2.4", new RecordingChannel()))
                .isInstanceOf(ConnectionRefused.class).hasMessageContaining("user");
        for (int i = 0; i < 4; i++) {
            f.connect("shop", null, "198.51.100.1", new FakeAuth());
        }
        f.connect("shop", "u2", "198.51.100.1", new FakeAuth());
        assertThatThrownBy(() -> f.broker.open("shop", new FakeAuth(), null, "198.51.100.1", new RecordingChannel()))
                .isInstanceOf(ConnectionRefused.class).hasMessageContaining("IP");

        first.connection().close();
        assertThat(f.broker.admits("u1", "192.0.2.4")).isTrue();
        f.broker.open("shop", new FakeAuth(), "u1", "192.0.2.4", new RecordingChannel());
    }

    @Test
    void histories_shareOneByteBudget_andAPublishingTopicGivesUpItsOwnOldestFirst() {
        BrokerFixture small = new BrokerFixture(new BrokerSettings(4096, 10, 50, 1000, 1000, 5, 3, 5, 100, Duration.ofMinutes(1),
                2000, Duration.ofSeconds(5), Duration.ofSeconds(20), 3, Duration.ofMinutes(2), 100, 10,
                Duration.ofMinutes(10), Duration.ofSeconds(5), Duration.ofSeconds(2)));
        Client backend = small.connect("shop");
        backend.publish("quiet", "q", "\"" + "q".repeat(500) + "\"");
        for (int i = 0; i < 20; i++) {
            backend.publish("busy", "b" + i, "\"" + "b".repeat(100) + "\"");
        }

        assertThat(small.broker.historyBytes()).isLessThanOrEqualTo(2000 + 300);
        assertThat(small.broker.existingTopic("shop", "quiet").historySize()).isEqualTo(1);
        assertThat(small.broker.existingTopic("shop", "busy").historySize()).isBetween(1, 19);
    }

    @Test
    void aStoppedBroker_refusesConnections_untilStartedAgain_thenServesWithNewTopics() throws Exception {
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        f.flush();
        String epoch = c.subscribed("orders:1").path("epoch").asString();
        f.broker.shutdown();
        assertThatThrownBy(() -> f.broker.open("shop", new FakeAuth(), null, "192.0.2.99", new RecordingChannel()))
                .isInstanceOf(ConnectionRefused.class);

        f.broker.start();
        Client again = f.connect("shop");
        again.resume("orders:1", 0, epoch);
        f.flush();

        assertThat(again.subscribed("orders:1").path("recovered").asBoolean()).isFalse();
        assertThat(again.subscribed("orders:1").path("epoch").asString()).isNotEqualTo(epoch);
    }

    @Test
    void shutdown_closesEveryConnectionAsGoingAway() {
        Client c = f.connect("shop");
        f.broker.shutdown();
        f.flush();

        assertThat(c.channel().closedWith()).isEqualTo(CloseReason.SHUTDOWN);
        assertThat(c.lastError().path("code").asString()).isEqualTo("SHUTTING_DOWN");
    }
}
