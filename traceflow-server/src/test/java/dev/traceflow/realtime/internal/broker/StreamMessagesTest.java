package dev.traceflow.realtime.internal.broker;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Messages with another feature's key field (a build log's buildId) leave the topic protocol's strict parsing to that feature. */
class StreamMessagesTest {

    @Test
    void aMessageWithTheStreamKey_goesToTheStreams_whateverItsType() throws BadMessage {
        ClientMessage m = WireFormat.parse("{\"type\":\"subscribe\",\"buildId\":\"b1\",\"cursor\":3}", "buildId");
        assertThat(m).isInstanceOf(ClientMessage.Stream.class);
        assertThat(((ClientMessage.Stream) m).type()).isEqualTo("subscribe");
        assertThat(((ClientMessage.Stream) m).message().path("cursor").asLong()).isEqualTo(3);
        assertThat(WireFormat.parse("{\"type\":\"whatever\",\"buildId\":1}", "buildId")).isInstanceOf(ClientMessage.Stream.class);
    }

    @Test
    void topicMessages_andMessagesWithoutStreams_parseAsBefore() throws BadMessage {
        assertThat(WireFormat.parse("{\"type\":\"subscribe\",\"topic\":\"orders:1\"}", "buildId")).isInstanceOf(ClientMessage.Subscribe.class);
        assertThatThrownBy(() -> WireFormat.parse("{\"type\":\"subscribe\",\"buildId\":\"b1\"}", null)).isInstanceOf(BadMessage.class);
        assertThatThrownBy(() -> WireFormat.parse("{\"buildId\":\"b1\"}", "buildId")).isInstanceOf(BadMessage.class);
    }
}
