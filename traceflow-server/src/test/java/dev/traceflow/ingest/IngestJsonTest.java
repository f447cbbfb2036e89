package dev.traceflow.ingest;

import dev.traceflow.core.pipeline.Drop;
import dev.traceflow.http.ApiException;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The event objects IngestJson reads are the values Jackson's untyped binding would give. */
class IngestJsonTest {

    private static final JsonMapper JACKSON = JsonMapper.builder().build();
    private final IngestJson json = new IngestJson(1000, 65536);

    private List<Map<String, Object>> events(String body) {
        List<Map<String, Object>> events = new ArrayList<>();
        json.readBatch(body.getBytes(StandardCharsets.UTF_8), (event, index, size) -> events.add(event), new ArrayList<Drop>(), null);
        return events;
    }

    @Test
    void readBatch_yieldsEvery64KiBOfALargeBatch_neverInASmallOne() {
        java.util.concurrent.atomic.AtomicInteger yields = new java.util.concurrent.atomic.AtomicInteger();
        IngestJson counting = new IngestJson(1000, 65536, yields::incrementAndGet);
        String event = "{\"pad\":\"" + "x".repeat(1000) + "\"}";
        String large = "[" + String.join(",", java.util.Collections.nCopies(500, event)) + "]"; // 505,501 bytes

        assertThat(counting.readBatch(large.getBytes(StandardCharsets.UTF_8), (e, index, size) -> { }, new ArrayList<>(), null))
                .isEqualTo(500);
        assertThat(yields.get()).as("about once per 64 KiB of 493 KiB").isBetween(7, 8);

        yields.set(0);
        counting.readBatch(("[" + event + "]").getBytes(StandardCharsets.UTF_8), (e, index, size) -> { }, new ArrayList<>(), null);
        assertThat(yields.get()).isZero();
    }

    @Test
    void readBatch_givesTheSameValuesAsJacksonsUntypedBinding() {
        String[] objects = {
                "{\"s\":\"text \\u00e9 \\ud83d\\ude00\",\"i\":42,\"neg\":-7,\"l\":12345678901,\"big\":123456789012345678901234567890,"
                        + "\"d\":1.5,\"e\":1e3,\"small\":-0.0001,\"t\":true,\"f\":false,\"n\":null}",
                "{\"nested\":{\"a\":[1,[2,[3,{\"b\":null}]],{}],\"c\":{}},\"empty\":[],\"order\":{\"z\":1,\"a\":2,\"m\":3}}",
                "{\"dup\":1,\"dup\":\"last wins\"}",
                "{}"
        };
        for (String object : objects) {
            @SuppressWarnings("unchecked")
            Map<String, Object> expected = JACKSON.readValue(object, Map.class);
            Map<String, Object> actual = events("[" + object + "]").getFirst();
            assertThat(actual).as(object).isEqualTo(expected);
            assertThat(List.copyOf(actual.keySet())).as("key order of " + object).isEqualTo(List.copyOf(expected.keySet()));
            for (String key : expected.keySet()) {
                Object e = expected.get(key);
                assertThat(actual.get(key) == null ? null : actual.get(key).getClass())
                        .as("type of " + key).isEqualTo(e == null ? null : e.getClass());
            }
        }
    }

    @Test
    void readBatch_refusesABodyEndingInsideAnEvent() {
        assertThatThrownBy(() -> events("[{\"a\":[1,2"))
                .isInstanceOf(ApiException.class)
                .satisfies(e -> assertThat(((ApiException) e).code()).isEqualTo("MALFORMED_BODY"));
        assertThatThrownBy(() -> events("[{\"a\":{\"b\":"))
                .isInstanceOf(ApiException.class);
    }

    @Test
    void readBatch_refusesNestingPastTheParserLimit() {
        String deep = "{\"a\":".repeat(IngestJson.MAX_NESTING + 1) + "1" + "}".repeat(IngestJson.MAX_NESTING + 1);
        assertThatThrownBy(() -> events("[" + deep + "]"))
                .isInstanceOf(ApiException.class)
                .hasMessageContaining("nested deeper than " + IngestJson.MAX_NESTING);
    }
}
