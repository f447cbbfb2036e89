package dev.traceflow.realtime.internal.websocket;

import org.junit.jupiter.api.Test;
import org.springframework.web.socket.BinaryMessage;
import org.springframework.web.socket.CloseStatus;
import org.springframework.web.socket.TextMessage;
import org.springframework.web.socket.WebSocketSession;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WholeMessagesTest {

    /** A session that has attributes and records how it was closed; nothing else is asked of it. */
    private static final class FakeSession {
        final Map<String, Object> attributes = new HashMap<>();
        final List<CloseStatus> closes = new ArrayList<>();
        final WebSocketSession session = (WebSocketSession) Proxy.newProxyInstance(WebSocketSession.class.getClassLoader(),
                new Class<?>[]{WebSocketSession.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getAttributes" -> attributes;
                    case "close" -> {
                        closes.add(args != null && args.length == 1 ? (CloseStatus) args[0] : CloseStatus.NORMAL);
                        yield null;
                    }
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private final WholeMessages messages = new WholeMessages(10, 4);

    @Test
    void aMessageInOnePart_isPassedOn_withNoStateLeftBehind() {
        FakeSession s = new FakeSession();
        assertThat(messages.add(s.session, new TextMessage("{\"a\":1}", true))).isEqualTo("{\"a\":1}");
        assertThat(s.attributes).isEmpty();
        assertThat(s.closes).isEmpty();
    }

    @Test
    void parts_arePutTogether_andTheNextMessageStartsAfresh() {
        FakeSession s = new FakeSession();
        assertThat(messages.add(s.session, new TextMessage("abcd", false))).isNull();
        assertThat(messages.add(s.session, new TextMessage("efgh", false))).isNull();
        assertThat(messages.add(s.session, new TextMessage("ij", true))).isEqualTo("abcdefghij"); // exactly the bound: taken
        assertThat(s.attributes).isEmpty();
        assertThat(messages.add(s.session, new TextMessage("k", true))).isEqualTo("k");
        assertThat(s.closes).isEmpty();
    }

    @Test
    void aMessageOverTheBound_closesWith1009_keepsNothing_andIsNotPassedOn() {
        FakeSession s = new FakeSession();
        assertThat(messages.add(s.session, new TextMessage("abcdefgh", false))).isNull();
        assertThat(messages.add(s.session, new TextMessage("ijk", false))).isNull();
        assertThat(s.closes).containsExactly(CloseStatus.TOO_BIG_TO_PROCESS);
        assertThat(messages.add(s.session, new TextMessage("more of it", false))).isNull();
        assertThat(messages.add(s.session, new TextMessage("end", true))).isNull();
        assertThat(s.closes).hasSize(1);
        assertThat(s.attributes).isEmpty();
    }

    @Test
    void aSinglePartOverTheBound_closesWith1009_too() {
        FakeSession s = new FakeSession();
        assertThat(messages.add(s.session, new TextMessage("x".repeat(11), true))).isNull();
        assertThat(s.closes).containsExactly(CloseStatus.TOO_BIG_TO_PROCESS);
        assertThat(s.attributes).isEmpty();
    }

    @Test
    void binaryMessages_areCountedNotKept_andOverTheirBoundCloseWith1009() {
        FakeSession s = new FakeSession();
        assertThat(messages.binaryEnds(s.session, new BinaryMessage(new byte[4], true))).isTrue();
        assertThat(messages.binaryEnds(s.session, new BinaryMessage(new byte[2], false))).isFalse();
        assertThat(messages.binaryEnds(s.session, new BinaryMessage(new byte[2], true))).as("4 bytes in two parts").isTrue();
        assertThat(s.closes).isEmpty();
        assertThat(messages.binaryEnds(s.session, new BinaryMessage(new byte[3], false))).isFalse();
        assertThat(messages.binaryEnds(s.session, new BinaryMessage(new byte[3], false))).isFalse();
        assertThat(s.closes).containsExactly(CloseStatus.TOO_BIG_TO_PROCESS);
        assertThat(messages.binaryEnds(s.session, new BinaryMessage(new byte[3], true))).isFalse();
        assertThat(s.attributes).isEmpty();
        assertThat(messages.add(s.session, new TextMessage("after", true))).isEqualTo("after");
    }
}
