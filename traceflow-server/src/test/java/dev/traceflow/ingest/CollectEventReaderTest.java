package dev.traceflow.ingest;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import dev.traceflow.core.pipeline.Drop;
import dev.traceflow.core.pipeline.DropReason;
import dev.traceflow.http.ApiException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * {@link CollectEventReader} (through {@link IngestJson#readCollect}) against the map path it
 * replaced ({@link IngestJson#readObject} and {@link EventMappingReference}): for the same body,
 * the same events (every getter, with the Java types of every value inside properties, metadata
 * and details), the same drops (code and message), or the same whole-body error.
 */
class CollectEventReaderTest {

    private static final long NOW = 1_767_225_600_000L;
    private static final String HEADER_UA = "Mozilla/5.0 (X11; Linux x86_64) HeaderAgent/1.0";

    /** Every field the event API reads. */
    private static final List<String> FIELDS = List.of("appId", "type", "timestamp", "eventId", "sessionId", "userId",
            "anonymousId", "url", "referrer", "title", "userAgent", "release", "environment", "properties", "metadata",
            "message", "stack", "errorType", "filename", "lineno", "colno", "fingerprint", "metrics", "resources", "name",
            "value", "rating", "delta", "id", "navigationType", "initiatorType", "startTime", "duration", "transferSize",
            "x", "y", "viewportWidth", "viewportHeight", "selector");
    /** Fields it does not read: near misses, one non-ASCII, one spelled with an escape, an empty name. */
    private static final List<String> UNKNOWN_FIELDS = List.of("extra", "Type", "app_id", "naïve", "\\u0074ype2", "");

    /** One JSON value of each kind, and the edge cases of each. */
    private static final List<String> VALUES = List.of(
            "\"\"", "\" \"", "\"text\"", "\"é 😀 \\u00e9\\ud83d\\ude00 \\\"q\\\" \\n\"", "null",
            "0", "1", "-1", "7", "1.5", "-0.0", "2.0", "1e3", "12345678901", "1767225600000", "-5",
            "2147483648", "9.9e15", "9.91e15", "123456789012345678901234567890", "1e400", "-1e400", "4.9e-324",
            "true", "false",
            "{}", "{\"a\":1}", "{\"revenue\":\"49.90\"}", "{\"revenue\":49.9}", "{\"url\":\"/x\",\"duration\":3}",
            "{\"fcp\":1,\"lcp\":null}", "{\"speed\":1}", "{\"cls\":-1}", "{\"deep\":{\"a\":[1,{\"b\":[[],{}]}]}}",
            "[]", "[\"a\",\"b\"]", "[1,2]", "[\"a\",null]", "[{\"name\":\"x\",\"initiatorType\":\"img\",\"duration\":1}]",
            "[{\"name\":\"x\"}]", "[null]", "[[{\"z\":[1]}]]",
            "\"2026-01-01T10:00:00Z\"", "\"2026-01-01T10:00:00.123+02:00\"", "\"2026-01-01T10:00:00\"", "\"yesterday\"",
            "\"LCP\"", "\"XYZ\"", "\"pageview\"", "\"web-vital\"", "\"pageView\"",
            "\"" + "long ".repeat(60) + "\"");

    /** A valid event of each type, as key/raw-JSON pairs (the common fields first, the type's after). */
    private static final Map<String, List<String[]>> VALID = new LinkedHashMap<>();

    static {
        VALID.put("pageview", typed("pageview", "title", "\"Home\"", "referrer", "\"https://www.google.com/\"",
                "properties", "{\"trafficSource\":\"ads\",\"n\":1,\"l\":12345678901,\"big\":123456789012345678901234567890,"
                        + "\"d\":1.5,\"t\":true,\"nil\":null,\"list\":[1,\"a\",{\"b\":false}]}"));
        VALID.put("error", typed("error", "message", "\"x.map is not a function\"", "stack", "\"TypeError: x\\n    at f (a.js:1:2)\"",
                "errorType", "\"TypeError\"", "filename", "\"https://shop.test/a.js\"", "lineno", "12", "colno", "4.0",
                "fingerprint", "[\"checkout\",\"x.map\"]"));
        VALID.put("performance", typed("performance", "metrics",
                "{\"fcp\":812,\"lcp\":1200.5,\"fid\":3,\"inp\":null,\"cls\":0.02,\"ttfb\":120,\"domLoad\":900,\"load\":1800}",
                "resources", "[{\"name\":\"https://shop.test/a.js\",\"initiatorType\":\"script\",\"startTime\":12.5,"
                        + "\"duration\":40,\"transferSize\":12000},{\"name\":\"b.css\",\"initiatorType\":\"link\",\"duration\":3.5}]"));
        VALID.put("web-vital", typed("web-vital", "name", "\"LCP\"", "value", "2400.5", "rating", "\"good\"", "delta", "12",
                "id", "\"v4-1767225600000-123\"", "navigationType", "\"navigate\""));
        VALID.put("resource", typed("resource", "name", "\"https://shop.test/img/hero.webp\"", "initiatorType", "\"img\"",
                "startTime", "5", "duration", "123.4", "transferSize", "204800"));
        VALID.put("click", typed("click", "x", "120", "y", "48.5", "viewportWidth", "1280", "viewportHeight", "720",
                "selector", "\"button.add-to-cart\""));
        VALID.put("event", typed("event", "name", "\"add_to_cart\"", "properties", "{\"productId\":\"p_1\",\"price\":19.99}"));
        VALID.put("session_start", typed("session_start"));
        VALID.put("session_end", typed("session_end", "metadata", "{\"sdk\":{\"name\":\"web\",\"version\":[1,2]}}"));
        VALID.put("conversion", typed("conversion", "properties", "{\"revenue\":10}"));
        VALID.put("purchase", typed("purchase", "properties", "{\"revenue\":49.9,\"currency\":\"EUR\"}"));
        VALID.put("api", typed("api", "properties", "{\"method\":\"GET\",\"url\":\"https://api.shop.test/cart\",\"status\":200,"
                + "\"duration\":12.5}"));
        VALID.put("session_update", typed("session_update", "properties", "{\"sid\":\"r-1\",\"status\":\"ok\",\"errors\":0,"
                + "\"init\":true}"));
    }

    private static List<String[]> typed(String type, String... typeFields) {
        List<String[]> pairs = new ArrayList<>();
        pairs.add(new String[]{"appId", "\"demo\""});
        pairs.add(new String[]{"type", "\"" + type + "\""});
        pairs.add(new String[]{"timestamp", "1767225000000"});
        pairs.add(new String[]{"eventId", "\"e-1\""});
        pairs.add(new String[]{"sessionId", "\"s-1\""});
        pairs.add(new String[]{"anonymousId", "\"a-1\""});
        pairs.add(new String[]{"url", "\"https://shop.test/products/1?utm_source=x\""});
        pairs.add(new String[]{"release", "\"1.2.3\""});
        pairs.add(new String[]{"environment", "\"production\""});
        for (int i = 0; i < typeFields.length; i += 2) {
            pairs.add(new String[]{typeFields[i], typeFields[i + 1]});
        }
        return pairs;
    }

    private static String object(List<String[]> pairs) {
        StringBuilder json = new StringBuilder("{");
        for (String[] pair : pairs) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append('"').append(pair[0]).append("\":").append(pair[1]);
        }
        return json.append('}').toString();
    }

    private static List<String[]> with(List<String[]> pairs, String field, String value) {
        List<String[]> copy = without(pairs, field);
        if (value != null) {
            copy.add(new String[]{field, value});
        }
        return copy;
    }

    /** {@code object} with {@code pairs} (raw JSON) added after its other fields. */
    private static String append(String object, String pairs) {
        return object.substring(0, object.length() - 1) + "," + pairs + "}";
    }

    /** {@code object} with {@code pairs} (raw JSON) added before its other fields. */
    private static String prepend(String object, String pairs) {
        return "{" + pairs + "," + object.substring(1);
    }

    private static List<String[]> without(List<String[]> pairs, String field) {
        List<String[]> copy = new ArrayList<>();
        for (String[] pair : pairs) {
            if (!pair[0].equals(field)) {
                copy.add(pair);
            }
        }
        return copy;
    }

    // --- the two paths -------------------------------------------------------------------------

    /** What the map path made of a body, rendered with every value's Java type. */
    private static String before(IngestJson json, String body, boolean single, String ua) {
        return before(json, body.getBytes(StandardCharsets.UTF_8), single, ua);
    }

    private static String before(IngestJson json, byte[] body, boolean single, String ua) {
        List<Event> events = new ArrayList<>();
        List<Drop> drops = new ArrayList<>();
        IngestJson.EventSink<Map<String, Object>> sink = (event, index, size) -> {
            try {
                events.add(EventMappingReference.fromCollect(new FieldReader(event), index, size, ua, NOW));
            } catch (FieldReader.FieldError e) {
                drops.add(new Drop(index, DropReason.INVALID, e.code(), e.getMessage()));
            }
        };
        try {
            int total = 1;
            if (single) {
                json.readSingle(body, IngestJson::readObject, sink, drops);
            } else {
                total = json.readBatch(body, IngestJson::readObject, sink, drops, null);
            }
            return render(new ParsedEvents(events, drops, total));
        } catch (RuntimeException e) {
            return render(e);
        }
    }

    /** What the streaming reader made of the same body. */
    private static String after(IngestJson json, byte[] body, boolean single, String ua) {
        try {
            return render(json.readCollect(body, single, ua, NOW));
        } catch (RuntimeException e) {
            return render(e);
        }
    }

    private final IngestJson json = new IngestJson(1000, 65536);
    /** Outcomes seen, so the generated cases can be shown to reach past the first checks. */
    private final Set<String> outcomes = new LinkedHashSet<>();

    /** The same answer from both paths, with and without a request User-Agent. */
    private void assertSame(IngestJson json, String body, boolean single) {
        assertSame(json, body.getBytes(StandardCharsets.UTF_8), single, body, HEADER_UA, null);
    }

    private void assertSame(IngestJson json, byte[] body, boolean single, String shown, String... userAgents) {
        for (String ua : userAgents) {
            String expected = before(json, body, single, ua);
            String actual = after(json, body, single, ua);
            if (!actual.equals(expected)) {
                fail("for " + (single ? "the single body " : "the batch body ") + shown + "\nexpected " + expected + "\nbut was  " + actual);
            }
            outcomes.add(summary(expected));
        }
    }

    /**
     * Each event object as a one-event batch and as a single body, then in batches (in two orders,
     * as the reader is reused for every event of a request).
     */
    private void assertSameEach(List<String> objects) {
        for (String object : objects) {
            assertSame(json, "[" + object + "]", false);
            assertSame(json, object.getBytes(StandardCharsets.UTF_8), true, object, HEADER_UA);
        }
        for (int from = 0; from < objects.size(); from += 200) {
            List<String> some = objects.subList(from, Math.min(objects.size(), from + 200));
            assertSameBatch("{\"events\":[" + String.join(",", some) + "]}");
            List<String> reversed = new ArrayList<>(some);
            Collections.reverse(reversed);
            assertSameBatch("[" + String.join(",\n ", reversed) + "]");
        }
    }

    private void assertSameBatch(String body) {
        assertSame(json, body.getBytes(StandardCharsets.UTF_8), false, body, HEADER_UA);
    }

    // --- hand-written cases --------------------------------------------------------------------

    @Test
    void equalStringsOfOneRequest_areOneString_theHeaderUserAgentIncluded() {
        String header = new String(HEADER_UA.toCharArray()); // not the constant: only an equal String
        String event = "{\"appId\":\"demo\",\"type\":\"pageview\",\"timestamp\":" + NOW + ",\"sessionId\":\"s-1\","
                + "\"userAgent\":\"" + HEADER_UA + "\",\"url\":\"https://shop.example/%s\",\"release\":\"web@1.0\"}";
        String body = "[" + event.formatted("a") + "," + event.formatted("b") + "," + event.formatted("b") + "]";

        List<Event> events = json.readCollect(body.getBytes(StandardCharsets.UTF_8), false, header, NOW).events();

        assertThat(events).hasSize(3);
        for (Event e : events) {
            assertThat(e.appId()).isSameAs(events.getFirst().appId());
            assertThat(e.sessionId()).isSameAs(events.getFirst().sessionId()).isEqualTo("s-1");
            assertThat(e.release()).isSameAs(events.getFirst().release()).isEqualTo("web@1.0");
            assertThat(e.userAgent()).isSameAs(header);
        }
        assertThat(events.get(1).url()).isEqualTo("https://shop.example/b").isNotEqualTo(events.get(0).url())
                .isSameAs(events.get(2).url());
        assertThat(events.get(0).url()).isEqualTo("https://shop.example/a");
    }


    @Test
    void everyTypeValid_givesTheSameEvents() {
        List<String> objects = VALID.values().stream().map(CollectEventReaderTest::object).toList();
        assertSameEach(objects);
        String all = before(json, "[" + String.join(",", objects) + "]", false, HEADER_UA);
        assertThat(all).doesNotContain("Drop(");
        for (EventType type : EventType.values()) {
            assertThat(all).contains("type=EventType." + type.name());
        }
    }

    @Test
    void everyFieldMissing_givesTheSameErrorOrEvent() {
        List<String> objects = new ArrayList<>();
        for (List<String[]> valid : VALID.values()) {
            for (String[] pair : valid) {
                objects.add(object(without(valid, pair[0])));
            }
            for (String field : FIELDS) {
                objects.add(object(with(valid, field, "null")));
                objects.add(object(with(valid, field, "\"\"")));
                objects.add(object(with(valid, field, "\"  \"")));
            }
        }
        assertSameEach(objects);
        assertThat(outcomes).anyMatch(o -> o.contains("MISSING_FIELD"));
    }

    @Test
    void everyWrongKindOfEveryField_givesTheSameError() {
        List<String> objects = new ArrayList<>();
        for (List<String[]> valid : VALID.values()) {
            for (String field : FIELDS) {
                for (String value : VALUES) {
                    objects.add(object(with(valid, field, value)));
                }
            }
        }
        assertSameEach(objects);
        assertThat(outcomes).anyMatch(o -> o.contains("INVALID_FIELD")).anyMatch(o -> o.contains("UNKNOWN_TYPE"));
    }

    /** Two fields wrong (of a kind no field takes) or missing at once: the checks run in the same order. */
    @Test
    void everyPairOfFieldsWrongOrMissing_reportsTheSameFirstError() {
        for (List<String[]> valid : VALID.values()) {
            for (int i = 0; i < FIELDS.size(); i++) {
                for (int j = i + 1; j < FIELDS.size(); j++) {
                    String wrong = object(with(with(valid, FIELDS.get(i), "true"), FIELDS.get(j), "true"));
                    String missing = object(without(without(valid, FIELDS.get(i)), FIELDS.get(j)));
                    assertSame(json, ("[" + wrong + "," + missing + "]").getBytes(StandardCharsets.UTF_8), false, wrong + missing,
                            HEADER_UA);
                }
            }
        }
        assertThat(outcomes.size()).as("distinct outcomes (first errors) reached").isGreaterThan(30);
    }

    @Test
    void theTypeAfterTheOtherFields_repeatedKeys_unknownFields() {
        List<String[]> click = VALID.get("click");
        List<String> objects = new ArrayList<>();
        for (List<String[]> valid : VALID.values()) {
            List<String[]> typeLast = new ArrayList<>(valid);
            typeLast.add(typeLast.remove(1));
            objects.add(object(typeLast));
            List<String[]> reversed = new ArrayList<>(valid);
            Collections.reverse(reversed);
            objects.add(object(reversed));
        }
        objects.addAll(List.of(
                // the last of repeated keys wins, also when it is null or of another kind
                append(object(with(click, "x", "\"left\"")), "\"x\":5"),
                append(object(click), "\"x\":\"left\""),
                append(object(click), "\"x\":null"),
                append(object(click), "\"type\":\"pageview\""),
                append(prepend(object(click), "\"type\":\"nope\""), "\"type\":\"click\""),
                append(object(VALID.get("event")), "\"properties\":{\"second\":2},\"properties\":{\"third\":3}"),
                append(object(VALID.get("event")), "\"properties\":[1]"),
                append(object(VALID.get("error")), "\"fingerprint\":null"),
                append(object(VALID.get("error")), "\"fingerprint\":[]"),
                append(object(VALID.get("error")), "\"fingerprint\":{\"a\":\"b\"}"),
                append(object(VALID.get("performance")), "\"metrics\":{}"),
                // unknown fields of every kind, nested, before and after the known ones
                append(prepend(object(VALID.get("pageview")), "\"extra\":{\"a\":[1,{\"b\":[{},[],\"s\",null,true,1.5,"
                        + "123456789012345678901234567890]}],\"type\":\"error\"},\"more\":[[[]]]"), "\"tail\":\"x\""),
                append(object(VALID.get("web-vital")), "\"x\":{\"y\":[1,2,{\"message\":3}]},\"extra\":false,\"nil\":null"),
                // a known scalar field given an object or array, which the reader skips
                object(with(VALID.get("resource"), "name", "{\"a\":{\"b\":[1,2,{\"c\":\"d\"}]}}")),
                object(with(VALID.get("resource"), "name", "[[[\"x\"]]]")),
                object(with(VALID.get("pageview"), "title", "{\"a\":{\"b\":[1,2,{\"c\":\"d\"}]}}")),
                // ISO timestamps, whole and fractional numbers, huge numbers, unicode
                object(with(VALID.get("pageview"), "timestamp", "\"2026-01-01T10:00:00Z\"")),
                object(with(VALID.get("pageview"), "timestamp", "\"2026-01-01T10:00:00.5-05:00\"")),
                object(with(VALID.get("pageview"), "timestamp", "\"2026-01-01T10:00:00\"")),
                object(with(VALID.get("pageview"), "timestamp", "1767225000000.9")),
                object(with(VALID.get("pageview"), "timestamp", "9900000000000001")),
                object(with(VALID.get("pageview"), "timestamp", "1e400")),
                object(with(VALID.get("pageview"), "timestamp", "123456789012345678901234567890")),
                object(with(VALID.get("error"), "lineno", "1.5")),
                object(with(VALID.get("error"), "lineno", "1.0")),
                object(with(VALID.get("error"), "colno", "2147483648")),
                object(with(VALID.get("error"), "colno", "-2147483648")),
                object(with(VALID.get("click"), "viewportWidth", "0")),
                object(with(VALID.get("click"), "viewportWidth", "-3")),
                object(with(VALID.get("click"), "viewportWidth", "1280.5")),
                object(with(VALID.get("click"), "x", "123456789012345678901234567890123")),
                object(with(VALID.get("click"), "x", ("9".repeat(400)))),
                object(with(VALID.get("web-vital"), "value", "-0.0")),
                object(with(VALID.get("web-vital"), "value", "-1")),
                object(with(VALID.get("web-vital"), "name", "\"lcp\"")),
                object(with(VALID.get("pageview"), "title", "\"Ünïcödé ✓ 😀 \\ud83d\\ude00 \\u0000 \\t\"")),
                object(with(VALID.get("pageview"), "userAgent", "\"Custom/1.0 (é)\"")),
                object(with(VALID.get("pageview"), "\\u0074itle", "\"escaped key\"")),
                object(with(VALID.get("event"), "name", "\"" + "n".repeat(300) + "\"")),
                object(with(VALID.get("event"), "type", "\"" + "t".repeat(300) + "\"")),
                object(with(VALID.get("api"), "properties", "{\"url\":\"/x\",\"duration\":\"slow\"}")),
                object(with(VALID.get("api"), "properties", "{\"url\":\"/x\",\"duration\":1,\"status\":200.5}")),
                object(with(VALID.get("performance"), "resources", "[{\"name\":\"a\",\"initiatorType\":\"img\"}]")),
                object(with(VALID.get("performance"), "resources", "[1]")),
                object(with(VALID.get("performance"), "metrics", "{\"lcp\":1e400}")),
                object(with(VALID.get("performance"), "metrics", "{\"lcp\":\"1\"}")),
                "{}",
                " { \"appId\" : \"demo\" ,\n \"type\" : \"pageview\" ,\t\"timestamp\" : 1767225000000 } "));
        assertSameEach(objects);
    }

    // --- generated cases -----------------------------------------------------------------------

    @Test
    void generatedVariants_giveTheSameResults() {
        Random random = new Random(20260101L);
        List<String> types = new ArrayList<>(VALID.keySet());
        List<String> objects = new ArrayList<>();
        for (int i = 0; i < 4000; i++) {
            List<String[]> pairs = new ArrayList<>(VALID.get(types.get(random.nextInt(types.size()))));
            int mutations = random.nextInt(4);
            for (int m = 0; m < mutations; m++) {
                switch (random.nextInt(6)) {
                    case 0 -> pairs = without(pairs, pairs.get(random.nextInt(pairs.size()))[0]);
                    case 1 -> pairs = with(pairs, FIELDS.get(random.nextInt(FIELDS.size())), VALUES.get(random.nextInt(VALUES.size())));
                    // a repeated key, the first or the second one valid
                    case 2 -> pairs.add(random.nextInt(pairs.size() + 1), new String[]{FIELDS.get(random.nextInt(FIELDS.size())),
                            VALUES.get(random.nextInt(VALUES.size()))});
                    case 3 -> pairs.add(random.nextInt(pairs.size() + 1), new String[]{
                            UNKNOWN_FIELDS.get(random.nextInt(UNKNOWN_FIELDS.size())), VALUES.get(random.nextInt(VALUES.size()))});
                    case 4 -> Collections.shuffle(pairs, random);
                    default -> pairs = with(pairs, "type", "\"" + types.get(random.nextInt(types.size())) + "\"");
                }
            }
            objects.add(object(pairs));
        }
        for (String object : objects) {
            assertSame(json, "[" + object + "]", false);
        }
        // in batches too, so a reused reader is seen to forget the previous event's fields
        for (int from = 0; from < objects.size(); from += 50) {
            assertSameBatch("[" + String.join(",", objects.subList(from, from + 50)) + "]");
        }
        assertThat(outcomes).as("outcomes reached").contains("events=1")
                .anyMatch(o -> o.contains("MISSING_FIELD"))
                .anyMatch(o -> o.contains("INVALID_FIELD"))
                .anyMatch(o -> o.contains("UNKNOWN_TYPE"));
        assertThat(outcomes.size()).as("distinct outcomes (first errors) reached").isGreaterThan(40);
    }

    // --- whole bodies ----------------------------------------------------------------------------

    @Test
    void bodies_limitsAndMalformedJson_giveTheSameAnswers() {
        String valid = object(VALID.get("pageview"));
        String big = object(with(VALID.get("event"), "properties", "{\"pad\":\"" + "x".repeat(300) + "\"}"));
        IngestJson small = new IngestJson(3, 400);
        List<String> bodies = List.of(
                "[" + valid + "," + valid + "," + valid + "]",
                "[" + valid + "," + valid + "," + valid + "," + valid + "]",
                "[" + valid + "," + valid + "," + valid + ",42]",
                "[" + valid + "," + big + "," + valid + "]",
                "[42, " + valid + ", [1, 2], null, \"s\", true, {}]",
                "{\"app\":\"x\",\"events\":[" + valid + "],\"release\":\"1\"}",
                "{\"events\":[" + valid + "],\"events\":[" + valid + "]}",
                "{\"events\":{}}", "{\"events\":null}", "{\"items\":[]}", "\"just a string\"", "", "  ", "[]", "{}",
                "[" + valid + "] {", "[" + valid + "]]", valid + valid, "[" + valid, "[" + valid + ",",
                "{appId: demo}", "[{\"appId\":\"demo\",}]", "[{\"appId\" \"demo\"}]", "[{\"a\":01}]", "[{\"a\":NaN}]",
                "[{\"extra\":\"" + "\\q" + "\"}]", "[{\"title\":\"" + "\\q" + "\"}]",
                // malformed inside values the reader skips, keeps or reads
                "[{\"extra\":{\"a\" 1}}]", "[{\"extra\":{\"a\":1,}}]", "[{\"extra\":[1 2]}]", "[{\"extra\":{1:2}}]",
                "[{\"extra\":[1,]}]", "[{\"extra\":tru}]", "[{\"extra\":\"open}]", "[{\"extra\":\"a\u0001b\"}]",
                "[{\"title\":{\"a\" 1}}]", "[{\"title\":[1,]}]", "[{\"title\":\"a\u0001b\"}]", "[{\"x\":-}]",
                "[{\"properties\":{\"a\" 1}}]", "[{\"properties\":[1,]}]", "[{\"type\":\"pageview\" \"x\":1}]",
                "[{\"extra\":" + "1".repeat(1500) + "}]", "[{\"x\":" + "1".repeat(1500) + "}]",
                "[{\"extra\":" + "[".repeat(70) + "]".repeat(70) + "}]",
                "[{\"title\":" + "{\"a\":".repeat(70) + "1" + "}".repeat(70) + "}]",
                "[{\"properties\":" + "{\"a\":".repeat(70) + "1" + "}".repeat(70) + "}]");
        for (String body : bodies) {
            assertSame(json, body, false);
            assertSame(json, body, true);
            assertSame(small, body, false);
            assertSame(small, body, true);
        }
    }

    @Test
    void bodiesCutAtEveryByte_giveTheSameAnswers() {
        String body = "{\"events\":[" + object(VALID.get("error")) + ",{\"extra\":{\"a\":[1,\"x\",{\"b\":null}]},"
                + object(VALID.get("performance")).substring(1) + "]}";
        for (int end = 0; end <= body.length(); end++) {
            assertSame(json, body.substring(0, end), false);
        }
    }

    @Test
    void invalidUtf8_inAKnownField_anUnknownOne_orASkippedValue_givesTheSameAnswer() {
        byte[][] bad = {{(byte) 0xC3, (byte) 0x28}, {(byte) 0xFF}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xF0, (byte) 0x28, (byte) 0x8C, (byte) 0xBC}, {(byte) 0x80}};
        String[][] around = {
                {"[{\"appId\":\"demo\",\"type\":\"pageview\",\"timestamp\":1,\"title\":\"a", "b\"}]"},
                {"[{\"appId\":\"demo\",\"type\":\"pageview\",\"timestamp\":1,\"extra\":\"a", "b\"}]"},
                {"[{\"appId\":\"demo\",\"type\":\"pageview\",\"extra\":{\"k\":[\"a", "b\"]},\"timestamp\":1}]"},
                {"[{\"appId\":\"demo\",\"type\":\"pageview\",\"title\":{\"k\":\"a", "b\"},\"timestamp\":1}]"},
                {"[{\"appId\":\"demo\",\"type\":\"pageview\",\"properties\":{\"k\":\"a", "b\"},\"timestamp\":1}]"},
                {"[{\"appId\":\"demo\",\"type\":\"pageview\",\"k", "\":1,\"timestamp\":1}]"},
                {"[{\"appId\":\"demo\",\"type\":\"pageview\",\"properties\":{\"k", "\":1},\"timestamp\":1}]"}};
        for (String[] parts : around) {
            for (byte[] b : bad) {
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                body.writeBytes(parts[0].getBytes(StandardCharsets.UTF_8));
                body.writeBytes(b);
                body.writeBytes(parts[1].getBytes(StandardCharsets.UTF_8));
                assertSame(json, body.toByteArray(), false, parts[0] + Arrays.toString(b) + parts[1], HEADER_UA);
            }
        }
    }

    // --- rendering -------------------------------------------------------------------------------

    /** The outcome without the events' content: "events=2", or the first drop's code and message, or the error. */
    private static String summary(String rendered) {
        int drop = rendered.indexOf("Drop(");
        if (drop >= 0) {
            return rendered.substring(rendered.indexOf("code=", drop), rendered.indexOf(", )", drop));
        }
        if (rendered.startsWith("ParsedEvents(")) {
            return "events=" + (rendered.split("Event\\{", -1).length - 1);
        }
        return rendered;
    }

    private static String render(RuntimeException e) {
        if (e instanceof ApiException a) {
            return "ApiException(" + a.status() + ", " + a.code() + ", " + a.getMessage() + ", " + a.details() + ")";
        }
        return e.getClass().getName() + ": " + e.getMessage();
    }

    private static final List<Method> EVENT_GETTERS = Arrays.stream(Event.class.getMethods())
            .filter(m -> m.getDeclaringClass() == Event.class && m.getParameterCount() == 0
                    && m.getReturnType() != void.class && !Modifier.isStatic(m.getModifiers())
                    && !m.getName().equals("toString"))
            .sorted(Comparator.comparing(Method::getName))
            .toList();
    /** Each record type's component accessors, looked up once: the tests render many thousands of events. */
    private static final ClassValue<List<Method>> ACCESSORS = new ClassValue<>() {
        @Override
        protected List<Method> computeValue(Class<?> type) {
            List<Method> accessors = new ArrayList<>();
            for (RecordComponent c : type.getRecordComponents()) {
                Method accessor = c.getAccessor();
                accessor.setAccessible(true);
                accessors.add(accessor);
            }
            return accessors;
        }
    };

    /** Any value as text naming the Java type of every part, so Integer 1 and Long 1 differ, as do map orders. */
    static String render(Object value) {
        if (value == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder();
        switch (value) {
            case Map<?, ?> map -> {
                out.append(value.getClass().getSimpleName()).append('{');
                map.forEach((k, v) -> out.append(render(k)).append('=').append(render(v)).append(", "));
                out.append('}');
            }
            case List<?> list -> {
                out.append(value.getClass().getSimpleName()).append('[');
                list.forEach(v -> out.append(render(v)).append(", "));
                out.append(']');
            }
            case Record record -> {
                out.append(value.getClass().getSimpleName()).append('(');
                for (Method accessor : ACCESSORS.get(record.getClass())) {
                    out.append(accessor.getName()).append('=').append(render(invoke(accessor, record))).append(", ");
                }
                out.append(')');
            }
            case Event event -> {
                Map<String, String> getters = new TreeMap<>();
                for (Method getter : EVENT_GETTERS) {
                    getters.put(getter.getName(), render(invoke(getter, event)));
                }
                out.append("Event").append(getters);
            }
            case Enum<?> e -> out.append(e.getDeclaringClass().getSimpleName()).append('.').append(e.name());
            default -> out.append(value.getClass().getSimpleName()).append(':').append(value);
        }
        return out.toString();
    }

    private static Object invoke(Method method, Object target) {
        try {
            return method.invoke(target);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
