package dev.traceflow.storage.duckdb;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonReaderTest {

    private static String write(Object value) {
        JsonText t = new JsonText();
        t.value(value);
        return new String(t.bytes(), 0, t.length(), StandardCharsets.UTF_8);
    }

    @Test
    void parse_readsBackWhatJsonTextWrote_wholeNumbersAsLongOthersAsDouble() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\nd\u0001 é ✓ 😀");
        m.put("i", 42);
        m.put("l", 1L << 40);
        m.put("d", 1.5);
        m.put("whole", 1500.0);
        m.put("tiny", 1e-300);
        m.put("t", true);
        m.put("n", null);
        m.put("list", new ArrayList<>(Arrays.asList(1, "two", List.of(), null)));
        m.put("empty", Map.of());

        Object back = JsonReader.parse(write(m));

        Map<String, Object> expected = new LinkedHashMap<>(m);
        expected.put("i", 42L);
        expected.put("list", Arrays.asList(1L, "two", List.of(), null));
        assertThat(back).isEqualTo(expected);
        assertThat(List.copyOf(((Map<?, ?>) back).keySet())).isEqualTo(List.copyOf(m.keySet()));
    }

    @Test
    void parse_acceptsWhitespaceEscapesAndNumbersBeyondLong() {
        Object v = JsonReader.parse(" { \"a\" : [ 1 , -2.5e3 , \"\\u00e9\\/\" ] , \"big\": 123456789012345678901234567890 } ");

        assertThat(v).isEqualTo(Map.of("a", List.of(1L, -2500.0, "é/"), "big", 1.2345678901234568E29));
    }

    @Test
    void parse_refusesWhatIsNotJson() {
        assertThatThrownBy(() -> JsonReader.parse("{\"a\":1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonReader.parse("{\"a\":1} x")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonReader.parse("[tru]")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> JsonReader.object("[1]")).isInstanceOf(IllegalArgumentException.class);
        assertThat(JsonReader.object(null)).isEmpty();
    }
}
