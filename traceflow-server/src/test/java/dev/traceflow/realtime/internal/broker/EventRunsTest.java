package dev.traceflow.realtime.internal.broker;

import dev.traceflow.realtime.internal.broker.BrokerFixture.Client;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Events queued together for one connection reach the transport in runs (one write for a burst, not one
 * per event), in order, within the client's window, each then awaiting its ack as a single send does.
 */
class EventRunsTest {

    private final BrokerFixture f = new BrokerFixture(BrokerFixture.settings(100, 100));

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    private static void publish(Client backend, String topic, int from, int to) {
        for (int i = from; i <= to; i++) {
            backend.publish(topic, "e" + i, String.valueOf(i));
        }
    }

    @Test
    void eventsQueuedTogether_goToTheTransportAsOneRun_inOrder_andEachAwaitsItsAck() {
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        f.flush();
        publish(f.connect("shop"), "orders:1", 1, 5);
        f.flush();

        assertThat(c.channel().eventRuns()).containsExactly(5);
        assertThat(c.channel().seqs("orders:1")).isEqualTo(range(1, 5));
        assertThat(c.connection().unackedCount()).isEqualTo(5);
        assertThat(f.counter("traceflow.realtime.messages.sent", null, null)).isEqualTo(1 + 5 + 5); // subscribed, acks to the backend, events

        c.ack("orders:1", 3);
        f.time.advance(Duration.ofSeconds(5));
        f.flush();
        assertThat(c.channel().seqs("orders:1")).as("only the unacknowledged ones again").isEqualTo(List.of(1L, 2L, 3L, 4L, 5L, 4L, 5L));
    }

    @Test
    void aRun_stopsWhereTheClientsWindowIsFull_andAnAckLetsTheRestGo() {
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        f.flush();
        publish(f.connect("shop"), "orders:1", 1, 60); // the window is 50
        f.flush();
        assertThat(c.channel().eventRuns()).containsExactly(50);
        assertThat(c.connection().queuedMessages()).isEqualTo(10);

        c.ack("orders:1", 7);
        f.flush();
        assertThat(c.channel().eventRuns()).containsExactly(50, 7);
        c.ack("orders:1", 57);
        f.flush();
        assertThat(c.channel().eventRuns()).containsExactly(50, 7, 3);
        assertThat(c.channel().seqs("orders:1")).isEqualTo(range(1, 60));
    }

    @Test
    void aReplyQueuedBetweenEvents_endsTheRun_andKeepsItsPlace() {
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        f.flush();
        Client backend = f.connect("shop");
        publish(backend, "orders:1", 1, 3);
        c.send("{\"type\":\"ping\"}");
        publish(backend, "orders:1", 4, 5);
        f.flush();

        assertThat(c.channel().eventRuns()).containsExactly(3, 2);
        assertThat(c.channel().received().stream().map(m -> m.path("type").asString()).toList())
                .containsExactly("subscribed", "event", "event", "event", "pong", "event", "event");
    }

    @Test
    void eventsOfAnEndedSubscription_areLeftOutOfTheRun() {
        Client c = f.connect("shop");
        c.subscribe("orders:1");
        c.subscribe("orders:2");
        f.flush();
        Client backend = f.connect("shop");
        publish(backend, "orders:1", 1, 2);
        publish(backend, "orders:2", 1, 2);
        publish(backend, "orders:1", 3, 4);
        c.send("{\"type\":\"unsubscribe\",\"topic\":\"orders:2\"}");
        f.flush();

        assertThat(c.channel().seqs("orders:1")).isEqualTo(range(1, 4));
        assertThat(c.channel().seqs("orders:2")).isEmpty();
        assertThat(c.channel().eventRuns()).containsExactly(4);
        assertThat(c.connection().unackedCount()).isEqualTo(4);
    }
}
