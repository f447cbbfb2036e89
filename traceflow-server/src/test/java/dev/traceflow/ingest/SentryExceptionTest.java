package dev.traceflow.ingest;

import org.junit.jupiter.api.Test;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link SentryExceptionReader} reads an event's {@code exception} from the parser as
 * {@link SentryException#of} reads the same field built whole: the envelope path and the reference
 * must never tell apart, whatever the SDK sent.
 */
class SentryExceptionTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The field read as the envelope path reads it. */
    private static SentryException streamed(String json) {
        try (JsonParser p = JSON.createParser(json.getBytes(StandardCharsets.UTF_8))) {
            SentryException e = SentryExceptionReader.read(p, p.nextToken());
            assertThat(p.nextToken()).as("the whole value was read").isNull();
            return e;
        }
    }

    /** The field built whole (maps and lists), then read. */
    private static SentryException whole(String json) {
        try (JsonParser p = JSON.createParser(json.getBytes(StandardCharsets.UTF_8))) {
            return SentryException.of(IngestJson.readValue(p, p.nextToken()));
        }
    }

    /** Everything the error mapping reads of it. */
    private static String describe(SentryException e) {
        if (e == null) {
            return "no exception";
        }
        String type = e.type() instanceof String s ? s : null;
        String value = e.value() instanceof String s ? s : null;
        String stacktrace;
        try {
            e.checkStacktrace();
            stacktrace = "stacktrace ok";
        } catch (FieldReader.FieldError error) {
            stacktrace = error.getMessage();
        }
        return String.join(" | ", String.valueOf(e.type()), String.valueOf(e.value()), String.valueOf(e.mechanism()), stacktrace,
                String.valueOf(e.hasFrames()), String.valueOf(e.stack(type, value)),
                e.hasFrames() ? e.topFile() + ":" + e.topLine() + ":" + e.topColumn() : "-");
    }

    private static void assertSameBothWays(String json) {
        assertThat(describe(streamed(json))).as(json).isEqualTo(describe(whole(json)));
    }

    @Test
    void framesAreWrittenAsAV8Stack_newestCallFirst_withTheNewestFramesPlace() {
        SentryException e = streamed("""
                {"values":[{"type":"TypeError","value":"x is\\nundefined","module":"m","mechanism":{"type":"onerror","handled":false},
                  "stacktrace":{"frames":[
                    {"filename":"https://shop.example/app.js","function":"main","lineno":1,"colno":10,"in_app":true,"vars":{"a":[1]}},
                    {"filename":"app:///cart.js","abs_path":"https://shop.example/cart.js","function":"?","lineno":20.0,"colno":3},
                    {"filename":"https://shop.example/save.js","function":"  ","lineno":7}]}}]}
                """);

        assertThat(e.stack("TypeError", "x is\nundefined")).isEqualTo("""
                TypeError: x is undefined
                    at https://shop.example/save.js:7
                    at https://shop.example/cart.js:20:3
                    at main (https://shop.example/app.js:1:10)""");
        assertThat(List.of(e.topFile(), e.topLine())).containsExactly("https://shop.example/save.js", 7);
        assertThat(e.topColumn()).isNull();
        assertThat(e.mechanism()).isEqualTo(Map.of("type", "onerror", "handled", false));
    }

    @Test
    void oddButValidPayloads_readTheSameAsWhenBuiltWhole() {
        List<String> cases = new ArrayList<>(List.of(
                // forms and kinds of the field
                "null", "\"text\"", "7", "{}", "[]", "[1,\"x\",null]", "{\"values\":{}}", "{\"values\":null}", "{\"other\":[{\"type\":\"E\"}]}",
                "[{\"type\":\"A\"},\"not an exception\"]",
                "[{\"type\":\"A\",\"stacktrace\":{\"frames\":[{\"filename\":\"a.js\"}]}},{\"type\":\"B\"}]",
                // repeated keys: the last wins
                "{\"values\":[{\"type\":\"A\"}],\"values\":[{\"type\":\"B\"}]}",
                "{\"values\":[{\"type\":\"A\"}],\"values\":7}",
                "[{\"type\":\"A\",\"type\":\"B\",\"stacktrace\":{\"frames\":[{\"filename\":\"a.js\"}]},\"stacktrace\":null}]",
                "[{\"stacktrace\":{\"frames\":[{\"filename\":\"a.js\"}],\"frames\":[{\"filename\":\"b.js\",\"filename\":\"c.js\"}]}}]",
                "[{\"stacktrace\":{\"frames\":[{\"filename\":\"a.js\"}],\"frames\":{\"a\":1}}}]",
                "[{\"stacktrace\":\"at a.js\",\"stacktrace\":{\"frames\":[]}}]",
                // wrong kinds, reported or ignored as for the whole read
                "[{\"type\":1,\"value\":{\"a\":[1]},\"mechanism\":\"m\"}]",
                "[{\"type\":\"\",\"value\":\"\"}]",
                "[{\"stacktrace\":[{\"frames\":[]}]}]",
                "[{\"stacktrace\":{\"frames\":[{\"abs_path\":5,\"filename\":\"f.js\",\"function\":[\"x\"],\"lineno\":\"3\",\"colno\":true}]}}]",
                "[{\"stacktrace\":{\"frames\":[{\"abs_path\":\" \",\"filename\":\"f\\nx.js\",\"lineno\":-1,\"colno\":4}]}}]",
                "[{\"stacktrace\":{\"frames\":[{\"filename\":\"f.js\",\"lineno\":1e12,\"colno\":2.75}]}}]",
                "[{\"stacktrace\":{\"frames\":[{\"filename\":\"f.js\",\"lineno\":123456789012345678901234567890,\"colno\":0}]}}]",
                // frames without a file: no line of their own, the newest one's place still read
                "[{\"type\":\"E\",\"stacktrace\":{\"frames\":[{\"function\":\"f\",\"lineno\":1},{\"filename\":\"a.js\"},{\"lineno\":9,\"colno\":8}]}}]",
                "[{\"stacktrace\":{\"frames\":[{},{}]}}]",
                "[{\"value\":\"only a value\",\"stacktrace\":{\"frames\":[{\"filename\":\"" + "x".repeat(3000) + "\"}]}}]"));
        cases.add(deepTrace(300, 1));
        cases.add(deepTrace(300, 3));
        cases.add(deepTrace(251, 251));
        cases.add(deepTrace(600, 600));
        for (String json : cases) {
            assertSameBothWays(json);
        }
    }

    @Test
    void aVeryDeepTrace_keepsTheNewest250ElementsOfItsFramesList() {
        SentryException e = streamed(deepTrace(300, 2));

        String stack = e.stack("E", null);
        assertThat(stack.lines().count()).as("the header and every frame object of the newest 250 elements").isEqualTo(1 + 125);
        assertThat(stack).contains("at f299 (").doesNotContain("at f49 (");
        // all of the newest 250 not frames: nothing is left of the trace
        assertThat(streamed("[{\"stacktrace\":{\"frames\":[{\"filename\":\"a.js\"}" + ",1".repeat(250) + "]}}]").hasFrames()).isFalse();
    }

    @Test
    void whatIsWalkedOver_isStillChecked_soAnInvalidPayloadStaysInvalid() {
        // an encoded surrogate (ED A0 80) is not UTF-8, in a frame's variables that are not kept
        byte[] before = "[{\"stacktrace\":{\"frames\":[{\"filename\":\"a.js\",\"vars\":{\"x\":\"a".getBytes(StandardCharsets.UTF_8);
        byte[] after = "b\"}}]}}]".getBytes(StandardCharsets.UTF_8);
        byte[] invalid = Arrays.copyOf(before, before.length + 3 + after.length);
        invalid[before.length] = (byte) 0xED;
        invalid[before.length + 1] = (byte) 0xA0;
        invalid[before.length + 2] = (byte) 0x80;
        System.arraycopy(after, 0, invalid, before.length + 3, after.length);

        assertThatThrownBy(() -> {
            try (JsonParser p = JSON.createParser(invalid)) {
                SentryExceptionReader.read(p, p.nextToken());
            }
        }).isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> streamed("[{\"stacktrace\":{\"frames\":[{\"filename\":\"a.js\",\"pre_context\":[1,}]}}]"))
                .isInstanceOf(JacksonException.class);
    }

    /** Frames f0 (oldest) to f{n-1}, every {@code every}-th of them an object, the others numbers. */
    private static String deepTrace(int n, int every) {
        StringBuilder frames = new StringBuilder();
        for (int i = 0; i < n; i++) {
            frames.append(i == 0 ? "" : ",").append((i + 1) % every == 0
                    ? "{\"filename\":\"/app/f" + i + ".js\",\"function\":\"f" + i + "\",\"lineno\":" + i + ",\"colno\":1}" : String.valueOf(i));
        }
        return "{\"values\":[{\"type\":\"E\",\"stacktrace\":{\"frames\":[" + frames + "]}}]}";
    }
}
