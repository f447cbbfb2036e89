package dev.traceflow.realtime.internal.broker;

import dev.traceflow.realtime.internal.broker.BrokerFixture.Client;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The broker's delivery rules, driven by a manual clock and executor (no waiting, no timing). */
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
    void anUnackedEvent_isSentAgainWithBackoff_thenGivenUpAndCounted() {
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        f.connect("shop").publish("orders:1", "e1", "1");
        f.flush();
        assertThat(c.channel().seqs("orders:1")).containsExactly(1L);

        f.time.advance(Duration.ofMillis(4999));
        f.flush();
        assertThat(c.channel().seqs("orders:1")).as("not before the ack timeout").hasSize(1);
        f.time.advance(Duration.ofMillis(1));
        f.flush();
        assertThat(c.channel().seqs("orders:1")).as("again after 5 s").containsExactly(1L, 1L);
        f.time.advance(Duration.ofMillis(9999));
        f.flush();
        assertThat(c.channel().seqs("orders:1")).as("the second wait is twice as long").hasSize(2);
        f.time.advance(Duration.ofMillis(1));
        f.flush();
        assertThat(c.channel().seqs("orders:1")).as("third send").hasSize(3);
        f.time.advance(Duration.ofMinutes(5));
        f.flush();

        assertThat(c.channel().seqs("orders:1")).as("three sends at most").hasSize(3);
        assertThat(f.counter("traceflow.realtime.redeliveries", null, null)).isEqualTo(2);
        assertThat(f.counter("traceflow.realtime.drops", "reason", "unacked")).isEqualTo(1);
        assertThat(c.connection().unackedCount()).isZero();
        assertThat(c.channel().closedWith()).isNull();
    }

    @Test
    void aCumulativeAck_settlesEveryEventUpToIt_andOnlyThose() {
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        Client backend = f.connect("shop");
        for (int i = 1; i <= 3; i++) {
            backend.publish("orders:1", "e" + i, String.valueOf(i));
        }
        f.flush();

        c.ack("orders:1", 2);
        f.time.advance(Duration.ofSeconds(5));
        f.flush();

        assertThat(c.channel().seqs("orders:1")).containsExactly(1L, 2L, 3L, 3L);
    }

    @Test
    void anAckThatOvertakesTheWriter_leavesNothingToSendAgain() {
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        f.connect("shop").publish("orders:1", "e1", "1");
        c.ack("orders:1", 1); // before the writer even ran

        f.flush();
        f.time.advance(Duration.ofMinutes(1));
        f.flush();

        assertThat(c.channel().seqs("orders:1")).containsExactly(1L);
    }

    @Test
    void volatileTopics_areNeitherTrackedNorSentAgain() {
        Client c = f.connect("shop");
        c.subscribe("cursor:1");
        f.connect("shop").publish("cursor:1", "m1", "{\"x\":1}");
        f.flush();

        f.time.advance(Duration.ofMinutes(1));
        f.flush();

        assertThat(c.channel().seqs("cursor:1")).containsExactly(1L);
        assertThat(c.connection().unackedCount()).isZero();
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
    void aReliableSubscriberThatDoesNotRead_isCutOffAsASlowConsumer_andTheOthersGetEverything() {
        Client slow = f.connect("shop");
        Client fast = f.connect("shop");
        slow.subscribe("orders:1");
        fast.subscribe("orders:1");
        f.flush();
        Client backend = f.connect("shop");

        for (int i = 1; i <= 12; i++) { // the queue holds 10
            backend.publish("orders:1", "e" + i, String.valueOf(i));
            f.executor.runAllExcept(slow.connection());
        }
        assertThat(slow.connection().isClosed()).as("closing, not closed: its last words wait for the writer").isFalse();
        f.flush();

        assertThat(fast.channel().seqs("orders:1")).isEqualTo(range(1, 12));
        assertThat(slow.channel().closedWith()).isEqualTo(CloseReason.SLOW_CONSUMER);
        assertThat(slow.lastError().path("code").asString()).isEqualTo("SLOW_CONSUMER");
        assertThat(slow.channel().seqs("orders:1")).as("what was queued is dropped, nothing comes after the cut").isEmpty();
        assertThat(slow.connection().isClosed()).isTrue();
        assertThat(f.broker.existingTopic("shop", "orders:1").subscriberCount()).isEqualTo(1);
        assertThat(f.counter("traceflow.realtime.drops", "reason", "slow_consumer")).isEqualTo(1);
    }

    @Test
    void aWriterStuckOnAClientThatDoesNotRead_isNotWaitedForBeyondTheGrace() {
        Client slow = f.connect("shop");
        slow.subscribe("orders:1");
        f.flush();
        Client backend = f.connect("shop");
        for (int i = 1; i <= 11; i++) {
            backend.publish("orders:1", "e" + i, String.valueOf(i));
            f.executor.runAllExcept(slow.connection());
        }

        f.time.advance(Duration.ofSeconds(2));
        f.executor.runAllExcept(slow.connection());

        assertThat(slow.channel().closedWith()).isEqualTo(CloseReason.SLOW_CONSUMER);
        assertThat(slow.connection().isClosed()).isTrue();
    }

    @Test
    void aVolatileSubscriberThatDoesNotRead_losesItsOldestEvents_andStaysConnected() {
        Client c = f.connect("shop");
        c.subscribe("cursor:1");
        f.flush();
        Client backend = f.connect("shop");

        for (int i = 1; i <= 15; i++) {
            backend.publish("cursor:1", "m" + i, String.valueOf(i));
            f.executor.runAllExcept(c.connection()); // the publisher reads its acks
        }
        c.connection().receive("{\"type\":\"ping\"}");
        f.flush();

        assertThat(c.channel().seqs("cursor:1")).as("the newest nine: the pong took the tenth place").isEqualTo(range(7, 15));
        assertThat(c.channel().ofType("pong")).hasSize(1);
        assertThat(c.channel().closedWith()).isNull();
        assertThat(f.counter("traceflow.realtime.drops", "reason", "volatile_overflow")).isEqualTo(6);
    }

    @Test
    void aClientThatReadsButDoesNotAck_getsNoMoreThanItsWindow_andIsCutOffOnceTheQueueBehindItFills() {
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        Client backend = f.connect("shop");
        for (int i = 1; i <= 60; i++) { // a window of 50 unacked, then a queue of 10
            backend.publish("orders:1", "e" + i, String.valueOf(i));
            f.flush();
        }
        assertThat(c.channel().seqs("orders:1")).as("the window").isEqualTo(range(1, 50));
        assertThat(c.connection().queuedMessages()).isEqualTo(10);

        c.ack("orders:1", 5);
        f.flush();
        assertThat(c.channel().seqs("orders:1")).as("each ack opens the window as far").isEqualTo(range(1, 55));
        for (int i = 61; i <= 66; i++) {
            backend.publish("orders:1", "e" + i, String.valueOf(i));
            f.flush();
        }

        assertThat(c.channel().closedWith()).isEqualTo(CloseReason.SLOW_CONSUMER);
    }

    @Test
    void aConnection_mayNotSendMoreThanItsRate_andMayAgainOnceTheBucketRefills() {
        Client c = f.connect("shop");
        for (int i = 0; i < 200; i++) { // 100 a second, bursts of 200
            c.send("{\"type\":\"ping\"}");
            f.flush();
        }
        c.send("{\"type\":\"ping\"}");
        f.flush();
        assertThat(c.channel().ofType("pong")).hasSize(200);
        assertThat(c.lastError().path("code").asString()).isEqualTo("RATE_LIMITED");

        f.time.advance(Duration.ofMillis(10));
        c.send("{\"type\":\"ping\"}");
        f.flush();
        assertThat(c.channel().ofType("pong")).hasSize(201);
    }

    @Test
    void aFloodOverTheRate_getsOneErrorPerSpell_soItsOwnErrorsDoNotCutItOffAsASlowConsumer() {
        BrokerFixture roomy = new BrokerFixture(BrokerFixture.settings(300, 5));
        Client c = roomy.connect("shop");
        for (int i = 0; i < 400; i++) { // the writer does not run meanwhile: everything stays queued
            c.send("{\"type\":\"ping\"}");
        }
        roomy.flush();

        assertThat(c.channel().closedWith()).isNull();
        assertThat(c.channel().ofType("pong")).hasSize(200);
        assertThat(c.channel().ofType("error")).hasSize(1);
        assertThat(roomy.meters.get("traceflow.realtime.drops").tag("reason", "rate_limited").counter().count()).isEqualTo(200);

        roomy.time.advance(Duration.ofMillis(10));
        c.send("{\"type\":\"ping\"}");
        c.send("{\"type\":\"ping\"}");
        roomy.flush();
        assertThat(c.channel().ofType("pong")).as("one message a bucket refilled by 10 ms").hasSize(201);
        assertThat(c.channel().ofType("error")).as("a new spell is told again").hasSize(2);
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
    void aMessageOverTheSizeLimit_isRefused_andTheConnectionStays() {
        Client c = f.connect("shop");
        c.publish("orders:1", "big", "\"" + "x".repeat(4096) + "\"");
        c.send("{\"type\":\"ping\"}");
        f.flush();

        assertThat(c.channel().ofType("error").getFirst().path("code").asString()).isEqualTo("MESSAGE_TOO_LARGE");
        assertThat(c.channel().ofType("pong")).hasSize(1);
        assertThatThrownBy(() -> f.broker.publish("shop", "orders:1", "\"" + "é".repeat(2100) + "\"", "http-big"))
                .isInstanceOf(PublishRefused.class).extracting(e -> ((PublishRefused) e).code()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
    }

    @Test
    void aConnection_hasAtMostItsSubscriptions_andAResubscribeIsNoNewOne() {
        Client c = f.connect("shop");
        for (int i = 1; i <= 5; i++) {
            c.subscribe("t:" + i);
        }
        c.subscribe("t:1");
        c.subscribe("t:6");
        f.flush();

        assertThat(c.lastError().path("code").asString()).isEqualTo("TOO_MANY_SUBSCRIPTIONS");
        assertThat(c.lastError().path("topic").asString()).isEqualTo("t:6");
        assertThat(c.connection().subscriptionCount()).isEqualTo(5);
        c.send("{\"type\":\"unsubscribe\",\"topic\":\"t:2\"}");
        c.subscribe("t:6");
        f.flush();
        assertThat(c.subscribed("t:6")).isNotNull();
    }

    @Test
    void anUnsubscribedTopic_sendsNothingMore() {
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        Client backend = f.connect("shop");
        backend.publish("orders:1", "e1", "1");
        c.send("{\"type\":\"unsubscribe\",\"topic\":\"orders:1\"}");
        backend.publish("orders:1", "e2", "2");
        f.flush();
        f.time.advance(Duration.ofMinutes(1));
        f.flush();

        assertThat(c.channel().seqs("orders:1")).isEmpty();
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
    void topicsTheConnectionMayNotUse_areRefusedWithForbiddenTopic() {
        FakeAuth viewer = new FakeAuth();
        viewer.subscribe = t -> t.startsWith("notice:");
        viewer.publish = t -> false;
        Client c = f.connect("shop", "u1", "192.0.2.1", viewer);

        c.subscribe("orders:1");
        c.publish("notice:global", "x", "1");
        c.subscribe("notice:global");
        f.flush();

        List<JsonNode> errors = c.channel().ofType("error");
        assertThat(errors).extracting(e -> e.path("code").asString()).containsExactly("FORBIDDEN_TOPIC", "FORBIDDEN_TOPIC");
        assertThat(errors.get(0).path("topic").asString()).isEqualTo("orders:1");
        assertThat(errors.get(1).path("id").asString()).isEqualTo("x");
        assertThat(c.subscribed("notice:global")).isNotNull();
        assertThat(f.broker.existingTopic("shop", "orders:1")).as("nothing created for a refused subscribe").isNull();
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
    void badMessages_areAnsweredWithBadMessage_andTheConnectionStays() {
        Client c = f.connect("shop");
        List<String> junk = List.of("not json", "[1,2]", "42", "{}", "{\"type\":\"dance\"}", "{\"type\":\"subscribe\"}",
                "{\"type\":\"subscribe\",\"topic\":\"has space\"}", "{\"type\":\"subscribe\",\"topic\":\"a\",\"lastseq\":1}",
                "{\"type\":\"subscribe\",\"topic\":\"a\",\"lastSeq\":-1,\"epoch\":\"e\"}",
                "{\"type\":\"subscribe\",\"topic\":\"a\",\"lastSeq\":1.5}",
                "{\"type\":\"publish\",\"topic\":\"a\",\"payload\":1}", "{\"type\":\"publish\",\"topic\":\"a\",\"id\":\"x\"}",
                "{\"type\":\"publish\",\"topic\":\"a\",\"id\":\"\",\"payload\":1}", "{\"type\":\"ack\",\"topic\":\"a\"}",
                "{\"type\":\"ack\",\"topic\":\"a\",\"seq\":\"1\"}", "{\"type\":\"ping\",\"type\":\"ping\"}",
                "{\"type\":\"auth\"}", "{\"type\":\"subscribe\",\"topic\":\"" + "a".repeat(129) + "\"}");
        for (String message : junk) {
            c.send(message);
            f.flush();
        }
        c.connection().receiveBinary();
        c.send("{\"type\":\"ping\"}");
        f.flush();

        List<JsonNode> errors = c.channel().ofType("error");
        assertThat(errors).hasSize(junk.size() + 1);
        assertThat(errors).allSatisfy(e -> assertThat(e.path("code").asString()).isEqualTo("BAD_MESSAGE"));
        assertThat(c.channel().ofType("pong")).hasSize(1);
        assertThat(c.channel().closedWith()).isNull();
        assertThat(f.counter("traceflow.realtime.drops", "reason", "bad_message")).isEqualTo(junk.size() + 1);
    }

    @Test
    void aPublishMayCarrySeed001sSeq_whichTheServerIgnores() {
        Client c = f.connect("shop");
        c.send("{\"type\":\"publish\",\"topic\":\"a\",\"id\":\"x\",\"payload\":null,\"seq\":99}");
        f.flush();

        assertThat(c.channel().last().path("type").asString()).isEqualTo("ack");
        assertThat(c.channel().last().path("seq").asLong()).isEqualTo(1);
    }

    @Test
    void anExpiredToken_closesTheConnectionWithUnauthorized() {
        FakeAuth auth = new FakeAuth();
        auth.expiresAt = f.time.instant().plusSeconds(60);
        Client c = f.connect("shop", "u1", "192.0.2.1", auth);

        f.time.advance(Duration.ofSeconds(59));
        f.flush();
        assertThat(c.channel().closedWith()).isNull();
        f.time.advance(Duration.ofSeconds(1));
        f.flush();

        assertThat(c.lastError().path("code").asString()).isEqualTo("UNAUTHORIZED");
        assertThat(c.channel().closedWith()).isEqualTo(CloseReason.UNAUTHORIZED);
        assertThat(c.connection().isClosed()).isTrue();
    }

    @Test
    void aFreshTokenInBand_keepsTheConnectionOpen_andABadOneChangesNothing() {
        FakeAuth auth = new FakeAuth();
        auth.expiresAt = f.time.instant().plusSeconds(60);
        auth.validToken = "fresh";
        auth.renewedExpiry = f.time.instant().plusSeconds(900);
        Client c = f.connect("shop", "u1", "192.0.2.1", auth);

        c.send("{\"type\":\"auth\",\"token\":\"forged\"}");
        f.flush();
        assertThat(c.lastError().path("code").asString()).isEqualTo("UNAUTHORIZED");
        c.send("{\"type\":\"auth\",\"token\":\"fresh\"}");
        f.time.advance(Duration.ofSeconds(120));
        f.flush();

        assertThat(c.channel().ofType("authenticated").getFirst().path("expiresAt").asLong())
                .isEqualTo(auth.renewedExpiry.toEpochMilli());
        assertThat(c.channel().closedWith()).isNull();
        f.time.advance(Duration.ofSeconds(780));
        f.flush();
        assertThat(c.channel().closedWith()).as("the fresh token expires in its turn").isEqualTo(CloseReason.UNAUTHORIZED);
    }

    @Test
    void aRecheck_closesAConnectionWhoseTokenExpired_whenNoTimerSawIt() {
        FakeAuth auth = new FakeAuth();
        Client c = f.connect("shop", "u1", "192.0.2.1", auth);
        auth.expiresAt = f.time.instant().minusSeconds(1); // as when the clock jumped past it: no timer was armed for it

        f.broker.recheckAll();
        f.flush();

        assertThat(c.channel().closedWith()).isEqualTo(CloseReason.UNAUTHORIZED);
    }

    @Test
    void aRecheckThatRefuses_closesTheConnection_withItsReason() {
        FakeAuth disabled = new FakeAuth();
        Client c = f.connect("shop", "u1", "192.0.2.1", disabled);
        FakeAuth removed = new FakeAuth();
        Client d = f.connect("shop", "u2", "192.0.2.2", removed);
        disabled.recheckRefuses = new AuthRefused(ErrorCode.UNAUTHORIZED, "the account is disabled");
        removed.recheckRefuses = new AuthRefused(ErrorCode.FORBIDDEN, "no role on the app");

        f.time.advance(Duration.ofSeconds(5)); // the recheck interval
        f.flush();
        f.time.advance(Duration.ofSeconds(2));
        f.flush();

        assertThat(c.channel().closedWith()).isEqualTo(CloseReason.UNAUTHORIZED);
        assertThat(d.channel().closedWith()).isEqualTo(CloseReason.FORBIDDEN);
        assertThat(d.lastError().path("code").asString()).isEqualTo("FORBIDDEN");
    }

    @Test
    void aRecheckThatNoLongerAllowsATopic_endsThatSubscriptionOnly() {
        FakeAuth auth = new FakeAuth();
        Client c = f.connect("shop", "u1", "192.0.2.1", auth);
        c.subscribe("orders:1");
        c.subscribe("notice:global");
        FakeAuth demoted = new FakeAuth();
        demoted.subscribe = t -> t.startsWith("notice:");
        auth.recheckGives = demoted;

        f.broker.recheckAll();
        Client backend = f.connect("shop");
        backend.publish("orders:1", "o", "1");
        backend.publish("notice:global", "n", "1");
        f.flush();

        assertThat(c.lastError().path("code").asString()).isEqualTo("FORBIDDEN_TOPIC");
        assertThat(c.lastError().path("topic").asString()).isEqualTo("orders:1");
        assertThat(c.channel().seqs("orders:1")).isEmpty();
        assertThat(c.channel().seqs("notice:global")).containsExactly(1L);
        assertThat(c.channel().closedWith()).isNull();
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
