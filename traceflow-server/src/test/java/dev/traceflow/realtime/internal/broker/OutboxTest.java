package dev.traceflow.realtime.internal.broker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class OutboxTest {

    private static Outgoing reliable(String text) {
        return Outgoing.reply(text);
    }

    private static Outgoing volatileEvent(String text) {
        return new Outgoing(text, null, null, null, Outgoing.Kind.VOLATILE, null);
    }

    private static Outgoing uncounted(String text) {
        return new Outgoing(text, null, null, null, Outgoing.Kind.UNCOUNTED, null);
    }

    @Test
    void aFullQueue_refusesAReliableMessage() {
        Outbox outbox = new Outbox(2);
        assertThat(outbox.offer(reliable("a"))).isEqualTo(Outbox.Offer.ADDED);
        assertThat(outbox.offer(reliable("b"))).isEqualTo(Outbox.Offer.ADDED);

        assertThat(outbox.offer(reliable("c"))).isEqualTo(Outbox.Offer.FULL);
        assertThat(outbox.size()).isEqualTo(2);
    }

    @Test
    void aFullQueue_dropsItsOldestVolatileEvent_forANewMessageOfEitherKind() {
        Outbox outbox = new Outbox(3);
        outbox.offer(volatileEvent("v1"));
        outbox.offer(reliable("r1"));
        outbox.offer(volatileEvent("v2"));

        assertThat(outbox.offer(reliable("r2"))).isEqualTo(Outbox.Offer.DROPPED_VOLATILE);
        assertThat(outbox.offer(volatileEvent("v3"))).isEqualTo(Outbox.Offer.DROPPED_VOLATILE);

        assertThat(outbox.poll().json()).isEqualTo("r1");
        assertThat(outbox.poll().json()).isEqualTo("r2");
        assertThat(outbox.poll().json()).isEqualTo("v3");
        assertThat(outbox.poll()).isNull();
    }

    @Test
    void aNewVolatileEvent_isItselfDropped_whenOnlyReliableMessagesFillTheQueue() {
        Outbox outbox = new Outbox(1);
        outbox.offer(reliable("r1"));

        assertThat(outbox.offer(volatileEvent("v1"))).isEqualTo(Outbox.Offer.DROPPED_VOLATILE);
        assertThat(outbox.size()).isEqualTo(1);
    }

    @Test
    void uncountedMessages_passAFullQueue_andDoNotTakeItsRoom() {
        Outbox outbox = new Outbox(1);
        outbox.offer(uncounted("replay-1"));
        outbox.offer(uncounted("replay-2"));

        assertThat(outbox.offer(reliable("r1"))).isEqualTo(Outbox.Offer.ADDED);
        assertThat(outbox.offer(uncounted("last words"))).isEqualTo(Outbox.Offer.ADDED);
        assertThat(outbox.size()).isEqualTo(4);
        outbox.poll();
        outbox.poll();
        outbox.poll();
        assertThat(outbox.offer(reliable("r2"))).as("r1 left: room again").isEqualTo(Outbox.Offer.ADDED);
    }
}
