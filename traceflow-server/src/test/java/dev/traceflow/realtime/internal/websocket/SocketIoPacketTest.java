package dev.traceflow.realtime.internal.websocket;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Socket.IO v5 packets as socket.io-client 4.x writes them (socket.io-parser's encoder), and junk. */
class SocketIoPacketTest {

    @Test
    void aConnectToTheNamespace_withItsAuthPayload() {
        assertThat(SocketIoPacket.parse("0/realtime,{\"token\":\"trb_x\"}"))
                .isEqualTo(new SocketIoPacket(0, 0, "/realtime", null, "{\"token\":\"trb_x\"}"));
        assertThat(SocketIoPacket.parse("0")).isEqualTo(new SocketIoPacket(0, 0, "/", null, ""));
        assertThat(SocketIoPacket.parse("0/realtime")).isEqualTo(new SocketIoPacket(0, 0, "/realtime", null, ""));
    }

    @Test
    void anEvent_withAndWithoutAnAckId() {
        assertThat(SocketIoPacket.parse("2/realtime,[\"message\",{}]"))
                .isEqualTo(new SocketIoPacket(2, 0, "/realtime", null, "[\"message\",{}]"));
        assertThat(SocketIoPacket.parse("2/realtime,12[\"message\",{}]"))
                .isEqualTo(new SocketIoPacket(2, 0, "/realtime", 12L, "[\"message\",{}]"));
        assertThat(SocketIoPacket.parse("27[\"x\"]")).isEqualTo(new SocketIoPacket(2, 0, "/", 7L, "[\"x\"]"));
        assertThat(SocketIoPacket.parse("2/realtime,12[]").prefix()).isEqualTo("/realtime,");
        assertThat(SocketIoPacket.parse("2[]").prefix()).isEmpty();
    }

    @Test
    void aBinaryEvent_namesItsAttachments() {
        assertThat(SocketIoPacket.parse("52-/realtime,3[\"message\",{\"_placeholder\":true,\"num\":0}]"))
                .isEqualTo(new SocketIoPacket(5, 2, "/realtime", 3L, "[\"message\",{\"_placeholder\":true,\"num\":0}]"));
        assertThat(SocketIoPacket.parse("61-/realtime,4[]").attachments()).isEqualTo(1);
    }

    @Test
    void junk_isRefused() {
        assertThatThrownBy(() -> SocketIoPacket.parse("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SocketIoPacket.parse("9/realtime,")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SocketIoPacket.parse("x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SocketIoPacket.parse("5/realtime,[]")).as("a binary packet without its count")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SocketIoPacket.parse("2/realtime,1234567890123456789012[]")).as("an ack id no counter reaches")
                .isInstanceOf(IllegalArgumentException.class);
    }
}
