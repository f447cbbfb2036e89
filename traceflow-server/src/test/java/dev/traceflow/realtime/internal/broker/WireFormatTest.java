package dev.traceflow.realtime.internal.broker;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WireFormatTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void parse_readsEveryMessageOfApiMd() throws Exception {
        assertThat(WireFormat.parse("{\"type\":\"subscribe\",\"topic\":\"orders:42\",\"lastSeq\":7,\"epoch\":\"e1\"}"))
                .isEqualTo(new ClientMessage.Subscribe("orders:42", 7L, "e1"));
        assertThat(WireFormat.parse("{\"type\":\"subscribe\",\"topic\":\"notice:global\"}"))
                .isEqualTo(new ClientMessage.Subscribe("notice:global", null, null));
        assertThat(WireFormat.parse("{\"type\":\"unsubscribe\",\"topic\":\"booking:9\"}")).isEqualTo(new ClientMessage.Unsubscribe("booking:9"));
        assertThat(WireFormat.parse("{\"type\":\"ack\",\"topic\":\"a\",\"seq\":3}")).isEqualTo(new ClientMessage.Ack("a", 3));
        assertThat(WireFormat.parse("{\"type\":\"ping\"}")).isEqualTo(new ClientMessage.Ping());
        assertThat(WireFormat.parse("{\"type\":\"auth\",\"token\":\"t\"}")).isEqualTo(new ClientMessage.Auth("t"));
        assertThat(WireFormat.parse("{\"type\":\"publish\",\"topic\":\"a\",\"id\":\"x\",\"payload\":{\"b\":[1,\"c\"]}}"))
                .isEqualTo(new ClientMessage.Publish("a", "{\"b\":[1,\"c\"]}", "x"));
    }

    @Test
    void aPayload_goesOutAsItCameIn_numbersIncluded() throws Exception {
        ClientMessage.Publish p = (ClientMessage.Publish) WireFormat.parse(
                "{\"type\":\"publish\",\"topic\":\"a\",\"id\":\"x\",\"payload\":{\"price\":1.10,\"big\":123456789012345678901234567890,\"s\":\"\\u00e9\\n\"}}");

        assertThat(p.payloadJson()).isEqualTo("{\"price\":1.10,\"big\":123456789012345678901234567890,\"s\":\"é\\n\"}");
    }

    @Test
    void anEvent_isValidJson_whateverItsIdHolds() {
        String json = WireFormat.event("orders:1", "null", "quote\" back\\slash </script>", 4, 1700000000000L);

        JsonNode event = JSON.readTree(json);
        assertThat(event.path("id").asString()).isEqualTo("quote\" back\\slash </script>");
        assertThat(event.path("payload").isNull()).isTrue();
        assertThat(event.path("seq").asLong()).isEqualTo(4);
    }

    @Test
    void anError_namesTheTopicAndIdOnlyWhenGiven() {
        JsonNode withBoth = JSON.readTree(WireFormat.error(ErrorCode.RATE_LIMITED, "slow down", "t", "i"));
        JsonNode bare = JSON.readTree(WireFormat.error(ErrorCode.BAD_MESSAGE, "what?", null, null));

        assertThat(withBoth.path("topic").asString()).isEqualTo("t");
        assertThat(withBoth.path("id").asString()).isEqualTo("i");
        assertThat(bare.has("topic")).isFalse();
        assertThat(bare.has("id")).isFalse();
        assertThat(bare.path("code").asString()).isEqualTo("BAD_MESSAGE");
    }

    @Test
    void aBadMessage_saysWhatIsWrong_andKeepsTheTopicAndIdItCouldRead() {
        assertThatThrownBy(() -> WireFormat.parse("{\"type\":\"publish\",\"topic\":\"a\",\"id\":\"x\"}"))
                .isInstanceOf(BadMessage.class).hasMessageContaining("payload")
                .satisfies(e -> {
                    assertThat(((BadMessage) e).topic()).isEqualTo("a");
                    assertThat(((BadMessage) e).id()).isEqualTo("x");
                });
        assertThatThrownBy(() -> WireFormat.parse("{\"type\":\"subscribe\",\"topic\":\"a\",\"lastseq\":1}"))
                .isInstanceOf(BadMessage.class).hasMessageContaining("lastseq");
        assertThatThrownBy(() -> WireFormat.parse("{\"type\":\"publish\",\"topic\":\"a\",\"id\":\"a\\u0000b\",\"payload\":1}"))
                .isInstanceOf(BadMessage.class).hasMessageContaining("control");
    }
}
