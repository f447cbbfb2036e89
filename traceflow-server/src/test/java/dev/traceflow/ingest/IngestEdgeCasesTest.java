package dev.traceflow.ingest;

import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Less obvious bad input: every one answers a 4xx in API.md's shape (never a 500) and stores nothing it should not. */
class IngestEdgeCasesTest extends IngestTestBase {

    private static final String APP = "ingest-edge";

    private static byte[] concat(String head, byte[] middle, String tail) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(middle);
        out.writeBytes(tail.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static final byte[] BAD_UTF8 = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF};

    @Test
    void collectBatch_rejectsInvalidUtf8InAPropertyNameOrNestedValueWith400() {
        String key = appKey(APP);
        long before = stored(APP);
        String start = "{\"events\":[{\"appId\":\"" + APP + "\",\"type\":\"event\",\"name\":\"n\",\"timestamp\":"
                + System.currentTimeMillis() + ",\"properties\":{";

        TestHttp.Response inName = http.post("/api/collect/batch", concat(start + "\"k", BAD_UTF8, "\":1}}]}"), KEY, key, CT, JSON);
        TestHttp.Response inNested = http.post("/api/collect/batch",
                concat(start + "\"k\":{\"deep\":[\"", BAD_UTF8, "\"]}}}]}"), KEY, key, CT, JSON);

        assertApiError(inName, 400, "MALFORMED_BODY");
        assertApiError(inNested, 400, "MALFORMED_BODY");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collect_rejectsInvalidUtf8With400() {
        String key = appKey(APP);
        long before = stored(APP);
        String head = "{\"appId\":\"" + APP + "\",\"type\":\"pageview\",\"timestamp\":" + System.currentTimeMillis() + ",\"title\":\"";

        TestHttp.Response r = http.post("/api/collect", concat(head, BAD_UTF8, "\"}"), KEY, key, CT, JSON);

        assertApiError(r, 400, "MALFORMED_BODY");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void telemetryBatch_rejectsInvalidUtf8InASkippedTopLevelFieldWith400() {
        String key = appKey(APP);
        long before = stored(APP);
        String head = "{\"app\":\"" + APP + "\",\"extra\":{\"note\":\"";
        String tail = "\"},\"events\":[{\"type\":\"page\",\"name\":\"/x\",\"ts\":" + System.currentTimeMillis() + "}]}";

        TestHttp.Response r = http.post("/api/telemetry/batch", concat(head, BAD_UTF8, tail), KEY, key, CT, JSON);

        assertApiError(r, 400, "MALFORMED_BODY");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void event_rejectsInvalidUtf8InProto3JsonWith400() {
        String key = appKey(APP);
        long before = stored(APP);
        String head = "{\"context\":{\"clientTs\":\"" + System.currentTimeMillis() + "\",\"appId\":\"" + APP + "\"},"
                + "\"userLogin\":{\"email\":\"";

        TestHttp.Response r = http.post("/api/event", concat(head, BAD_UTF8, "\"}}"), KEY, key, CT, JSON);

        assertApiError(r, 400, "MALFORMED_BODY");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void event_rejectsInvalidUtf8InABinaryProtobufStringWith400() {
        String key = appKey(APP);
        long before = stored(APP);
        byte[] valid = dev.traceflow.proto.v1.AnalyticsEvent.newBuilder()
                .setContext(dev.traceflow.proto.v1.EventContext.newBuilder().setClientTs(System.currentTimeMillis()).setAppId(APP))
                .setMessageSent(dev.traceflow.proto.v1.MessageSentEvent.newBuilder().setChatId("QQQ"))
                .build().toByteArray();
        byte[] corrupt = valid.clone();
        for (int i = 0; i + 2 < corrupt.length; i++) {
            if (corrupt[i] == 'Q' && corrupt[i + 1] == 'Q' && corrupt[i + 2] == 'Q') {
                corrupt[i] = (byte) 0xFF;
                corrupt[i + 1] = (byte) 0xC3;
                corrupt[i + 2] = (byte) 0x28;
            }
        }
        assertThat(corrupt).isNotEqualTo(valid);

        TestHttp.Response r = http.post("/api/event", corrupt, KEY, key, CT, "application/x-protobuf");

        assertApiError(r, 400, "MALFORMED_BODY");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void event_rejectsMalformedProto3JsonWithoutNamingJavaExceptions() {
        String key = appKey(APP);

        TestHttp.Response r = postJson("/api/event", "{\"context\": {\"clientTs\": ", key);

        assertApiError(r, 400, "MALFORMED_BODY");
        assertThat(r.json().path("message").asString()).doesNotContain("java.", "com.google", "Exception");
    }

    @Test
    void collectBatch_rejectsRepeatedEventsArrayWith400_soTheEventLimitCannotBeBypassed() {
        String key = appKey(APP);
        long before = stored(APP);
        String body = "{\"events\":[" + json(pageview(APP)) + "],\"events\":[" + json(pageview(APP)) + "]}";

        TestHttp.Response r = postJson("/api/collect/batch", body, key);

        assertApiError(r, 400, "MALFORMED_BODY");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsJsonNestedDeeperThanTheParserLimitWith400() {
        String key = appKey(APP);
        long before = stored(APP);
        String deep = "[".repeat(200) + "]".repeat(200);
        String body = "{\"events\":[{\"appId\":\"" + APP + "\",\"type\":\"event\",\"name\":\"n\",\"timestamp\":"
                + System.currentTimeMillis() + ",\"properties\":{\"deep\":" + deep + "}}]}";

        TestHttp.Response r = postJson("/api/collect/batch", body, key);

        assertApiError(r, 400, "MALFORMED_BODY");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsAbsurdNumbersByIndex() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect/batch", "[" + json(pageview(APP)).replaceFirst("\"timestamp\":\\d+",
                "\"timestamp\":1e400") + "," + json(pageview(APP)).replaceFirst("\"timestamp\":\\d+",
                "\"timestamp\":123456789012345678901234567890") + "," + json(pageview(APP)) + "]", key);

        assertAccepted(r, 1, 2);
        assertErrorAt(r, 0, "INVALID_FIELD");
        assertErrorAt(r, 1, "INVALID_FIELD");
        assertThat(stored(APP)).isEqualTo(before + 1);
    }

    @Test
    void collectBatch_acceptsRawDeflateBody() {
        String key = appKey(APP);
        long before = stored(APP);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, true))) {
            d.write(batch(pageview(APP), pageview(APP)).getBytes(StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }

        TestHttp.Response r = http.post("/api/collect/batch", out.toByteArray(), KEY, key, CT, JSON, "Content-Encoding", "deflate");

        assertAccepted(r, 2, 0);
        assertThat(stored(APP)).isEqualTo(before + 2);
    }

    @Test
    void collectBatch_rejectsCorruptDeflateWith400() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = http.post("/api/collect/batch", new byte[]{0x78, (byte) 0x9C, (byte) 0xFF, (byte) 0xFF, 0x01, 0x02},
                KEY, key, CT, JSON, "Content-Encoding", "deflate");

        assertApiError(r, 400, "MALFORMED_BODY");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsChunkedBodyOver1MiBWith413() throws Exception {
        String key = appKey(APP);
        long before = stored(APP);
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            events.add(event(APP, "event", "name", "pad", "properties", Map.of("pad", "z".repeat(60_000))));
        }
        byte[] body = json(events).getBytes(StandardCharsets.UTF_8);
        // an InputStream publisher has no known length: the client sends Transfer-Encoding: chunked
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/collect/batch"))
                .header(KEY, key).header(CT, JSON)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build();

        HttpResponse<String> r;
        try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            r = client.send(request, HttpResponse.BodyHandlers.ofString());
        }

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(TestHttp.JSON.readTree(r.body()).path("code").asString()).isEqualTo("PAYLOAD_TOO_LARGE");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_sameEventIdInAnotherAppIsStoredForBoth() {
        String key = appKey(APP);
        String otherKey = appKey("ingest-edge-other");
        String eventId = UUID.randomUUID().toString();
        long before = stored(APP);
        long otherBefore = stored("ingest-edge-other");

        assertAccepted(postJson("/api/collect/batch", batch(event(APP, "pageview", "eventId", eventId)), key), 1, 0);
        assertAccepted(postJson("/api/collect/batch", batch(event("ingest-edge-other", "pageview", "eventId", eventId)), otherKey), 1, 0);

        assertThat(stored(APP)).isEqualTo(before + 1);
        assertThat(stored("ingest-edge-other")).isEqualTo(otherBefore + 1);
    }

    @Test
    void collectBatch_rejectsEventsThatIsNotAnArrayWith400() {
        String key = appKey(APP);

        assertApiError(postJson("/api/collect/batch", "{\"events\": {\"0\": {}}}", key), 400, "MALFORMED_BODY");
        assertApiError(postJson("/api/collect/batch", "{\"events\": null}", key), 400, "MALFORMED_BODY");
    }

    @Test
    void collect_rejectsTwoConcatenatedEventsWith400() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect", json(pageview(APP)) + json(pageview(APP)), key);

        assertApiError(r, 400, "MALFORMED_BODY");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collect_rejectsArrayBodyWith400() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = postJson("/api/collect", json(List.of(pageview(APP))), key);

        assertApiError(r, 400, "MALFORMED_BODY");
        assertThat(stored(APP)).isEqualTo(before);
    }
}
