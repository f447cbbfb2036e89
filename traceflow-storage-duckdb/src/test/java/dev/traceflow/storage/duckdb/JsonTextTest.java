package dev.traceflow.storage.duckdb;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTextTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static String write(Object value) {
        JsonText t = new JsonText();
        t.value(value);
        return new String(t.bytes(), 0, t.length(), StandardCharsets.UTF_8);
    }

    @Test
    void value_writesCompactJsonInMapOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "x");
        m.put("i", 42);
        m.put("l", 1L << 40);
        m.put("d", 1.5);
        m.put("whole", 1500.0);
        m.put("t", true);
        m.put("f", false);
        m.put("n", null);
        m.put("list", List.of(1, "two", List.of()));
        m.put("big", new BigInteger("123456789012345678901234567890"));
        m.put("dec", new BigDecimal("0.1"));
        m.put("empty", Map.of());
        assertThat(write(m)).isEqualTo("{\"s\":\"x\",\"i\":42,\"l\":1099511627776,\"d\":1.5,\"whole\":1500.0,\"t\":true,\"f\":false,"
                + "\"n\":null,\"list\":[1,\"two\",[]],\"big\":123456789012345678901234567890,\"dec\":0.1,\"empty\":{}}");
    }

    @Test
    void string_escapesQuotesBackslashesAndControlCharacters() {
        assertThat(write("a\"b\\c\nd\re\tf\bg\fh\u0001i\u001fj/k\u007f"))
                .isEqualTo("\"a\\\"b\\\\c\\nd\\re\\tf\\bg\\fh\\u0001i\\u001fj/k\u007f\"");
    }

    @Test
    void string_writesUtf8IncludingPairsAsFourBytes() {
        String text = "héllo ✓ 😀 中文";
        String json = write(text);
        assertThat(json).isEqualTo("\"" + text + "\"");
        assertThat(JSON.readValue(json, String.class)).isEqualTo(text);
    }

    @Test
    void string_replacesLoneSurrogatesSoTheTextStaysValidUtf8() {
        assertThat(write("a\ud800b")).isEqualTo("\"a\ufffdb\"");
        assertThat(write("a\udc00")).isEqualTo("\"a\ufffd\"");
        assertThat(write("\ud83d")).isEqualTo("\"\ufffd\"");
        // a low surrogate before its high one is two lone surrogates
        assertThat(write("\ude00\ud83d")).isEqualTo("\"\ufffd\ufffd\"");
    }

    @Test
    void string_manyEscapesInARowGrowTheBuffer() {
        String quotes = "\u0001".repeat(5000) + "é".repeat(3000);
        String json = write(quotes);
        assertThat(JSON.readValue(json, String.class)).isEqualTo(quotes);
    }

    @Test
    void numbers_areWrittenAsTheirToStringWrites_wholeDoublesAndLongsIncluded() {
        Random random = new Random(11);
        List<Object> numbers = new ArrayList<>(List.of(0.0, -0.0, 1.0, -1.0, 9_999_999.0, 10_000_000.0, -9_999_999.0,
                1e7 + 1, 123.5, 0.001, 1e-4, 1e21, Double.MIN_VALUE, Double.MAX_VALUE, (double) Long.MAX_VALUE,
                0L, -1L, 9L, 10L, 99L, 100L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1, 1_767_225_600_000L,
                0, -7, Integer.MAX_VALUE, Integer.MIN_VALUE));
        for (int i = 0; i < 2000; i++) {
            numbers.add((double) (random.nextInt(20_000_000) - 10_000_000));
            numbers.add(random.nextInt(100_000) / 10.0);
            numbers.add(random.nextLong());
            numbers.add(random.nextLong(10_000_000_000_000L));
        }
        for (Object n : numbers) {
            assertThat(write(n)).as(n.getClass().getSimpleName() + " " + n).isEqualTo(String.valueOf(n));
        }
        JsonText t = new JsonText();
        t.startObject();
        t.longField(JsonText.fieldName("at"), 1_767_225_600_123L);
        t.doubleField(JsonText.fieldName("x"), 512.0);
        t.doubleField(JsonText.fieldName("y"), -0.0);
        t.endObject();
        assertThat(new String(t.bytes(), 0, t.length(), StandardCharsets.UTF_8)).isEqualTo("{\"at\":1767225600123,\"x\":512.0,\"y\":-0.0}");
    }

    @Test
    void nonFiniteNumbersAreWrittenAsStrings() {
        assertThat(write(Arrays.asList(Double.NaN, Double.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY)))
                .isEqualTo("[\"NaN\",\"Infinity\",\"-Infinity\"]");
    }

    @Test
    void value_refusesWhatIsNotJsonLike() {
        assertThatThrownBy(() -> write(Map.of("k", new Object()))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Object");
    }

    @Test
    void fields_areSeparatedAndSkippedWhenNull() {
        JsonText t = new JsonText();
        t.startObject();
        t.stringField(JsonText.fieldName("a"), null);
        t.stringField(JsonText.fieldName("b"), "1");
        t.valueField(JsonText.fieldName("c"), null);
        t.longField(JsonText.fieldName("d"), 2);
        t.doubleField(JsonText.fieldName("e\"q"), 0.25);
        t.endObject();
        assertThat(new String(t.bytes(), 0, t.length(), StandardCharsets.UTF_8)).isEqualTo("{\"b\":\"1\",\"d\":2,\"e\\\"q\":0.25}");
        t.reset();
        t.startObject();
        t.endObject();
        assertThat(new String(t.bytes(), 0, t.length(), StandardCharsets.UTF_8)).isEqualTo("{}");
    }

    @Test
    void rawField_writesJsonTextKeptFromBefore() {
        JsonText t = new JsonText();
        t.startObject();
        t.longField(JsonText.fieldName("n"), 1);
        t.rawField(JsonText.fieldName("ua"), JsonText.stringJson("Mozilla/5.0 \"x\""));
        t.endObject();
        assertThat(new String(t.bytes(), 0, t.length(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1,\"ua\":\"Mozilla/5.0 \\\"x\\\"\"}");
    }

    /** Random JSON-like trees read back by Jackson as the same values. */
    @Test
    void value_roundTripsThroughAJsonParser() {
        Random random = new Random(7);
        for (int i = 0; i < 500; i++) {
            Object value = randomValue(random, 0);
            String json = write(value);
            assertThat(JSON.readValue(json, Object.class)).as(json).isEqualTo(value);
        }
    }

    private static Object randomValue(Random r, int depth) {
        int kind = depth >= 4 ? r.nextInt(5) : r.nextInt(7);
        return switch (kind) {
            case 0 -> randomString(r);
            case 1 -> r.nextInt();
            case 2 -> r.nextDouble() * 1e6;
            case 3 -> r.nextBoolean();
            case 4 -> null;
            case 5 -> {
                Map<String, Object> m = new LinkedHashMap<>();
                int n = r.nextInt(5);
                for (int k = 0; k < n; k++) {
                    m.put(randomString(r), randomValue(r, depth + 1));
                }
                yield m;
            }
            default -> {
                List<Object> l = new ArrayList<>();
                int n = r.nextInt(5);
                for (int k = 0; k < n; k++) {
                    l.add(randomValue(r, depth + 1));
                }
                yield l;
            }
        };
    }

    private static String randomString(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            switch (r.nextInt(6)) {
                case 0 -> sb.append((char) r.nextInt(0x20));
                case 1 -> sb.append("\"\\/".charAt(r.nextInt(3)));
                case 2 -> sb.append((char) (0x80 + r.nextInt(0x780)));
                case 3 -> sb.append((char) (0x800 + r.nextInt(0xd000)));
                case 4 -> sb.appendCodePoint(0x10000 + r.nextInt(0x10000));
                default -> sb.append((char) (0x20 + r.nextInt(0x5f)));
            }
        }
        return sb.toString();
    }
}
