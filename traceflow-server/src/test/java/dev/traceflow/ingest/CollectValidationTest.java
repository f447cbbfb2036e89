package dev.traceflow.ingest;

import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bad events of {@code /api/collect(/batch)}: a batch skips them and reports them by index
 * (202), a single {@code /api/collect} answers 422; a body that is not JSON at all answers 400.
 * Every test checks that nothing of the rejected event is stored.
 */
class CollectValidationTest extends IngestTestBase {

    private static final String APP = "ingest-validation";

    @Test
    void collectBatch_rejectsMalformedJsonWith400() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect/batch", "{\"events\": [{\"appId\": \"" + APP + "\", \"type\": ", key);

        assertApiError(r, 400, "MALFORMED_BODY");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collect_rejectsMalformedJsonWith400() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect", "{appId: demo}", key);

        assertApiError(r, 400, "MALFORMED_BODY");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsBodyThatIsNeitherArrayNorEventsObjectWith400() {
        String key = appKey(APP);
        long before = stored(APP);

        assertApiError(postJson("/api/collect/batch", "\"just a string\"", key), 400, "MALFORMED_BODY");
        assertApiError(postJson("/api/collect/batch", "{\"items\": []}", key), 400, "MALFORMED_BODY");
        assertApiError(postJson("/api/collect/batch", "", key), 400, "MALFORMED_BODY");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsTrailingGarbageWith400() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect/batch", batch(pageview(APP)) + " {", key);

        assertApiError(r, 400, "MALFORMED_BODY");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsInvalidUtf8InsideAJsonStringWith400() {
        String key = appKey(APP);
        long before = stored(APP);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String head = "{\"events\":[{\"appId\":\"" + APP + "\",\"type\":\"pageview\",\"timestamp\":" + System.currentTimeMillis()
                + ",\"title\":\"bad ";
        body.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        body.writeBytes(new byte[]{(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xFE});
        body.writeBytes("\"}]}".getBytes(StandardCharsets.UTF_8));

        TestHttp.Response r = http.post("/api/collect/batch", body.toByteArray(), KEY, key, CT, JSON);

        JsonNode error = assertApiError(r, 400, "MALFORMED_BODY");
        assertThat(error.path("message").asString()).containsIgnoringCase("UTF-8");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsWrongFieldTypesByIndexAndKeepsTheOthers() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect/batch", batch(
                event(APP, "pageview", "timestamp", true),
                pageview(APP),
                event(APP, "pageview", "url", 5),
                event(APP, "pageview", "properties", "not an object"),
                event(APP, "click", "x", "left", "y", 1, "viewportWidth", 100, "viewportHeight", 100),
                event(APP, "error", "message", "boom", "fingerprint", "not-an-array")), key);

        assertAccepted(r, 1, 5);
        for (int index : new int[]{0, 2, 3, 4, 5}) {
            assertErrorAt(r, index, "INVALID_FIELD");
        }
        assertThat(r.json().path("errors").get(0).path("message").asString()).contains("timestamp");
        assertThat(r.json().path("errors").get(1).path("message").asString()).contains("url");
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void collectBatch_reportsNonObjectEntriesByIndex() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect/batch", "[42, " + json(pageview(APP)) + ", [1, 2], null]", key);

        assertAccepted(r, 1, 3);
        assertErrorAt(r, 0, "INVALID_EVENT");
        assertErrorAt(r, 2, "INVALID_EVENT");
        assertErrorAt(r, 3, "INVALID_EVENT");
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void collect_rejectsWrongFieldTypeWith422() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect", json(event(APP, "pageview", "timestamp", true)), key);

        JsonNode error = assertApiError(r, 422, "VALIDATION_FAILED");
        assertThat(error.path("details").get(0).path("index").asInt()).isZero();
        assertThat(error.path("details").get(0).path("code").asString()).isEqualTo("INVALID_FIELD");
        assertThat(error.path("message").asString()).contains("timestamp");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collect_rejectsNumericUrlWith422() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect", json(event(APP, "pageview", "url", 5)), key);

        JsonNode error = assertApiError(r, 422, "VALIDATION_FAILED");
        assertThat(error.path("details").get(0).path("code").asString()).isEqualTo("INVALID_FIELD");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsMissingRequiredFieldsByIndex() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect/batch", batch(
                event(APP, "pageview", "appId", ABSENT),
                event(APP, "pageview", "type", ABSENT),
                event(APP, "pageview", "timestamp", ABSENT),
                event(APP, "error", "errorType", "TypeError"),
                event(APP, "web-vital", "name", "CLS", "value", 0.02),
                event(APP, "event"),
                event(APP, "click", "x", 1, "y", 2),
                event(APP, "resource", "name", "https://shop.test/a.js", "initiatorType", "script"),
                event(APP, "performance"),
                event(APP, "api"),
                event(APP, "api", "properties", Map.of("method", "GET", "duration", 12.5)),
                event(APP, "api", "properties", Map.of("url", "https://api.shop.test/cart", "status", 200)),
                pageview(APP)), key);

        assertAccepted(r, 1, 12);
        for (int index = 0; index < 12; index++) {
            assertErrorAt(r, index, "MISSING_FIELD");
        }
        assertThat(r.json().path("errors").get(0).path("message").asString()).contains("appId");
        assertThat(r.json().path("errors").get(1).path("message").asString()).contains("type");
        assertThat(r.json().path("errors").get(2).path("message").asString()).contains("timestamp");
        assertThat(r.json().path("errors").get(3).path("message").asString()).contains("message");
        assertThat(r.json().path("errors").get(4).path("message").asString()).contains("id");
        assertThat(r.json().path("errors").get(9).path("message").asString()).contains("properties");
        assertThat(r.json().path("errors").get(10).path("message").asString()).contains("properties: field 'url'");
        assertThat(r.json().path("errors").get(11).path("message").asString()).contains("properties: field 'duration'");
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void collect_rejectsMissingAppIdWith422() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect", json(event(APP, "pageview", "appId", ABSENT)), key);

        JsonNode error = assertApiError(r, 422, "VALIDATION_FAILED");
        assertThat(error.path("details").get(0).path("code").asString()).isEqualTo("MISSING_FIELD");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsUnknownTypeByIndex() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect/batch", batch(pageview(APP), event(APP, "pageView"),
                event(APP, "telemetry")), key);

        assertAccepted(r, 1, 2);
        assertErrorAt(r, 1, "UNKNOWN_TYPE");
        assertErrorAt(r, 2, "UNKNOWN_TYPE");
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void collect_rejectsUnknownTypeWith422() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect", json(event(APP, "telemetry")), key);

        JsonNode error = assertApiError(r, 422, "VALIDATION_FAILED");
        assertThat(error.path("details").get(0).path("code").asString()).isEqualTo("UNKNOWN_TYPE");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsTimestampsOutOfRangeByIndex() {
        String key = appKey(APP);
        long before = stored(APP);
        long now = System.currentTimeMillis();

        TestHttp.Response r = postJson("/api/collect/batch", batch(
                event(APP, "pageview", "timestamp", now + 25L * 3_600_000),
                event(APP, "pageview", "timestamp", now + 23L * 3_600_000),
                event(APP, "pageview", "timestamp", now - 31L * 86_400_000),
                event(APP, "pageview", "timestamp", java.time.Instant.ofEpochMilli(now + 2L * 86_400_000).toString())), key);

        assertAccepted(r, 1, 3);
        assertErrorAt(r, 0, "TIMESTAMP_OUT_OF_RANGE");
        assertErrorAt(r, 2, "TIMESTAMP_OUT_OF_RANGE");
        assertErrorAt(r, 3, "TIMESTAMP_OUT_OF_RANGE");
        assertThat(stored(APP)).isEqualTo(before + 1);
        // the rejected ones are not stored anywhere in time either
        java.time.Instant n = java.time.Instant.ofEpochMilli(now);
        assertThat(storage.counts().count(APP, n.minusSeconds(40L * 86400), n.minusSeconds(30L * 86400))).isZero();
    }

    @Test
    void collectBatch_rejectsTimestampThatIsNotATime() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect/batch", batch(
                event(APP, "pageview", "timestamp", "yesterday"),
                event(APP, "pageview", "timestamp", "2026-01-01T10:00:00"),
                event(APP, "pageview", "timestamp", -5)), key);

        assertAccepted(r, 0, 3);
        for (int index = 0; index < 3; index++) {
            assertErrorAt(r, index, "INVALID_FIELD");
        }
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsPropertiesNested9LevelsAsTooDeep() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect/batch", batch(
                event(APP, "event", "name", "deep", "properties", CollectIngestTest.nested(9)),
                event(APP, "event", "name", "ok", "properties", CollectIngestTest.nested(8))), key);

        assertAccepted(r, 1, 1);
        assertErrorAt(r, 0, "TOO_DEEP");
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void collect_rejectsPropertiesNested9LevelsWith422() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect", json(event(APP, "event", "name", "deep",
                "properties", CollectIngestTest.nested(9))), key);

        JsonNode error = assertApiError(r, 422, "VALIDATION_FAILED");
        assertThat(error.path("details").get(0).path("code").asString()).isEqualTo("TOO_DEEP");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsOutOfDomainValuesByIndex() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect/batch", batch(
                event(APP, "web-vital", "name", "XYZ", "value", 1, "id", "v1"),
                event(APP, "web-vital", "name", "LCP", "value", -1, "id", "v2"),
                event(APP, "performance", "metrics", Map.of("speed", 1)),
                event(APP, "click", "x", 1, "y", 1, "viewportWidth", 0, "viewportHeight", 100),
                event(APP, "purchase", "properties", Map.of("revenue", "49.90"))), key);

        assertAccepted(r, 0, 5);
        for (int index = 0; index < 5; index++) {
            assertErrorAt(r, index, "INVALID_FIELD");
        }
        assertThat(stored(APP)).isEqualTo(before);
    }
}
