package dev.traceflow.realtime.internal.broker;

import dev.traceflow.realtime.internal.broker.BrokerFixture.Client;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** A connection's way out: acks, redelivery, the unacknowledged window and slow consumers, driven by a manual clock and executor. */
class ConnectionDeliveryTest {

    private final BrokerFixture f = new BrokerFixture();

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    /** Transports encode an event once for all its subscribers and find it again by identity (the WebSocket transports' EventFrames). */
    @Test
    void everySend_ofAnEvent_handsTheChannelTheTopicsOneInstance_live_replayed_andRedelivered_whileRepliesGoAsMessages() {
        Client alice = f.connect("shop");
        Client bob = f.connect("shop");
        alice.subscribe("orders:1");
        bob.subscribe("orders:1");
        f.connect("shop").publish("orders:1", "e1", "1");
        f.flush();
        Client late = f.connect("shop");
        late.resume("orders:1", 0, alice.subscribed("orders:1").path("epoch").asString());
        f.flush();
        f.time.advance(Duration.ofSeconds(5)); // the ack timeout: sent again to all three
        f.flush();

        String event = alice.channel().events().getFirst();
        assertThat(alice.channel().events()).as("live, then redelivered").hasSize(2).allSatisfy(e -> assertThat(e).isSameAs(event));
        assertThat(bob.channel().events()).hasSize(2).allSatisfy(e -> assertThat(e).isSameAs(event));
        assertThat(late.channel().events()).as("replayed from the history, then redelivered").hasSize(2)
                .allSatisfy(e -> assertThat(e).isSameAs(event));
        assertThat(late.channel().events()).noneMatch(e -> e.contains("\"subscribed\""));
        assertThat(late.channel().ofType("subscribed")).hasSize(1);
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
}
