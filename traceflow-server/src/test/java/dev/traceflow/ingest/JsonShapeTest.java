package dev.traceflow.ingest;

import dev.traceflow.http.ApiException;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonShapeTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Object read(JsonShape shape, byte[] json) {
        try (JsonParser p = JSON.createParser(json)) {
            Object value = shape.read(p, p.nextToken());
            assertThat(p.nextToken()).as("the whole value was read").isNull();
            return value;
        }
    }

    private static Object read(JsonShape shape, String json) {
        return read(shape, json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void fields_keepsTheNamedFields_withTheirShapes_andLeavesTheOthersOut() {
        JsonShape shape = JsonShape.fields(Map.of("sdk", JsonShape.fields("name"), "tags", JsonShape.WHOLE));

        Object value = read(shape, """
                {"sdk":{"name":"js","integrations":["A","B"],"packages":[{"name":"npm:x"}]},
                 "tags":{"a":{"b":[1,2.5,true,null]}},"modules":{"react":"19.0.0"},"n":1}
                """);

        assertThat(value).isEqualTo(Map.of("sdk", Map.of("name", "js"), "tags", Map.of("a", Map.of("b", Arrays.asList(1, 2.5, true, null)))));
    }

    @Test
    void listOf_readsEveryElementWithTheElementShape() {
        JsonShape shape = JsonShape.listOf(JsonShape.fields("file"));

        assertThat(read(shape, "[{\"file\":\"a.js\",\"vars\":{\"x\":1}},\"text\",{\"context\":[\"l1\"]}]"))
                .isEqualTo(List.of(Map.of("file", "a.js"), "text", Map.of()));
    }

    @Test
    void aValueOfAnotherKindThanTheShapeSays_isBuiltWhole_soTheMappingSeesAndReportsItAsBefore() {
        assertThat(read(JsonShape.fields("a"), "[{\"a\":1,\"b\":2}]")).isEqualTo(List.of(Map.of("a", 1, "b", 2)));
        assertThat(read(JsonShape.listOf(JsonShape.fields("a")), "{\"a\":1,\"b\":2}")).isEqualTo(Map.of("a", 1, "b", 2));
        assertThat(read(JsonShape.fields("a"), "\"text\"")).isEqualTo("text");
    }

    @Test
    void readWith_readsTheValueItsOwnWay_andTheObjectAroundItReadsOn() {
        JsonShape.ValueReader counter = (p, t) -> {
            IngestJson.skipValue(p, t);
            return t.name();
        };
        JsonShape shape = JsonShape.fields(Map.of("n", JsonShape.readWith(counter), "m", JsonShape.WHOLE));

        assertThat(read(shape, "{\"n\":{\"a\":[1,{}]},\"x\":[],\"m\":2}")).isEqualTo(Map.of("n", "START_OBJECT", "m", 2));
        assertThat(read(shape, "{\"n\":\"s\",\"m\":[3]}")).isEqualTo(Map.of("n", "VALUE_STRING", "m", List.of(3)));
    }

    @Test
    void fieldNames_areMatchedAsDecoded_escapesAndNonAsciiToo() {
        JsonShape shape = JsonShape.fields("type", "größe", "a-much-longer-field-name-than-a-quad");

        assertThat(read(shape, "{\"\\u0074ype\":1,\"größe\":2,\"a-much-longer-field-name-than-a-quad\":3,\"typ\":4,\"types\":5}"))
                .isEqualTo(Map.of("type", 1, "größe", 2, "a-much-longer-field-name-than-a-quad", 3));
    }

    @Test
    void repeatedKeys_theLastWins_asInTheWholeRead() {
        assertThat(read(JsonShape.fields("a"), "{\"a\":1,\"b\":0,\"a\":{\"c\":2}}")).isEqualTo(Map.of("a", Map.of("c", 2)));
    }

    @Test
    void partsLeftOut_areStillChecked_soAnInvalidPayloadStaysInvalid() {
        // an encoded surrogate (ED A0 80) is not UTF-8: refused in a field that is left out too
        byte[] invalid = concat("{\"keep\":1,\"drop\":\"a", new byte[]{(byte) 0xED, (byte) 0xA0, (byte) 0x80}, "b\"}");

        assertThatThrownBy(() -> read(JsonShape.fields("keep"), invalid)).isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> read(JsonShape.fields("keep"), "{\"keep\":1,\"drop\":[1,}")).isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> {
            try (JsonParser p = JSON.createParser("{\"keep\":1,\"drop\":[1,2".getBytes(StandardCharsets.UTF_8))) {
                assertThat(p.nextToken()).isEqualTo(JsonToken.START_OBJECT);
                JsonShape.fields("keep").readObject(p);
            }
        }).isInstanceOfAny(JacksonException.class, ApiException.class);
    }

    private static byte[] concat(String before, byte[] raw, String after) {
        byte[] a = before.getBytes(StandardCharsets.UTF_8);
        byte[] c = after.getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(a, a.length + raw.length + c.length);
        System.arraycopy(raw, 0, out, a.length, raw.length);
        System.arraycopy(c, 0, out, a.length + raw.length, c.length);
        return out;
    }
}
