package dev.traceflow.ingest;

import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** API.md's limits: 1 MiB compressed, 10 MiB decompressed, 1000 events per batch, 64 KiB per event; content types and encodings. */
class IngestLimitsTest extends IngestTestBase {

    private static final String APP = "ingest-limits";

    @Test
    void collectBatch_acceptsExactly1000Events() {
        String key = appKey(APP);
        long before = stored(APP);
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            events.add(pageview(APP));
        }

        TestHttp.Response r = postJson("/api/collect/batch", json(events), key);

        assertAccepted(r, 1000, 0);
        assertThat(stored(APP)).isEqualTo(before + 1000);
    }

    @Test
    void collectBatch_rejectsBatchOver1000EventsWith413AndStoresNothing() {
        String key = appKey(APP);
        long before = stored(APP);
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 1001; i++) {
            events.add(pageview(APP));
        }

        TestHttp.Response r = postJson("/api/collect/batch", json(Map.of("events", events)), key);

        assertApiError(r, 413, "PAYLOAD_TOO_LARGE");
        assertThat(stored(APP)).isEqualTo(before);
        // refused as a whole: the request is counted, since its events never were one by one
        assertThat(http.get("/actuator/prometheus", dev.traceflow.support.TestAuth.bearer(auth.admin())).body()).containsPattern(
                "traceflow_ingest_requests_rejected_total\\{app=\"" + APP + "\",[^}]*code=\"PAYLOAD_TOO_LARGE\"[^}]*} [1-9]");
    }

    @Test
    void collectBatch_rejectsEventOver64KiBByIndexAndStoresTheOthers() {
        String key = appKey(APP);
        long before = stored(APP);
        Map<String, Object> big = event(APP, "event", "name", "big", "properties", Map.of("blob", "x".repeat(70 * 1024)));

        TestHttp.Response r = postJson("/api/collect/batch", batch(pageview(APP), big, pageview(APP)), key);

        assertAccepted(r, 2, 1);
        assertErrorAt(r, 1, "EVENT_TOO_LARGE");
        assertThat(stored(APP)).isEqualTo(before + 2);
    }

    @Test
    void collect_rejectsSingleEventOver64KiBWith413() {
        String key = appKey(APP);
        long before = stored(APP);
        Map<String, Object> big = event(APP, "event", "name", "big", "properties", Map.of("blob", "x".repeat(70 * 1024)));

        TestHttp.Response r = postJson("/api/collect", json(big), key);

        assertApiError(r, 413, "EVENT_TOO_LARGE");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsCompressedBodyOver1MiBWith413() {
        String key = appKey(APP);
        long before = stored(APP);
        // events padded with random (incompressible) text: over 1 MiB even gzipped
        Random random = new Random(42);
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            byte[] noise = new byte[30_000];
            random.nextBytes(noise);
            events.add(event(APP, "event", "name", "noise", "properties",
                    Map.of("noise", java.util.Base64.getEncoder().encodeToString(noise))));
        }
        byte[] body = gzip(json(events).getBytes(StandardCharsets.UTF_8));
        assertThat(body.length).isGreaterThan(1024 * 1024);

        TestHttp.Response r = http.post("/api/collect/batch", body, KEY, key, CT, JSON, "Content-Encoding", "gzip");

        assertApiError(r, 413, "PAYLOAD_TOO_LARGE");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsUncompressedBodyOver1MiBWith413() {
        String key = appKey(APP);
        long before = stored(APP);
        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            events.add(event(APP, "event", "name", "pad", "properties", Map.of("pad", "y".repeat(60_000))));
        }
        String body = json(events);
        assertThat(body.length()).isGreaterThan(1024 * 1024);

        TestHttp.Response r = postJson("/api/collect/batch", body, key);

        assertApiError(r, 413, "PAYLOAD_TOO_LARGE");
        assertThat(stored(APP)).isEqualTo(before);
    }

    /** That decoding stops at the limit, rather than inflating all 50 MiB first, is RequestBodiesTest's. */
    @Test
    void collectBatch_rejectsGzipBombWith413() throws IOException {
        String key = appKey(APP);
        long before = stored(APP);
        // a valid batch start followed by 50 MiB of spaces (legal JSON whitespace) gzipped to ~50 KiB
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 65536) {
            {
                def.setLevel(Deflater.BEST_COMPRESSION);
            }
        }) {
            gz.write(("{\"events\":[" + json(pageview(APP)) + ",").getBytes(StandardCharsets.UTF_8));
            byte[] spaces = new byte[1024 * 1024];
            java.util.Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 50; i++) {
                gz.write(spaces);
            }
            gz.write((json(pageview(APP)) + "]}").getBytes(StandardCharsets.UTF_8));
        }
        byte[] bomb = out.toByteArray();
        assertThat(bomb.length).isLessThan(200 * 1024);

        TestHttp.Response r = http.post("/api/collect/batch", bomb, KEY, key, CT, JSON, "Content-Encoding", "gzip");

        assertApiError(r, 413, "PAYLOAD_TOO_LARGE");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsZeroFilledGzipBombWith413() {
        String key = appKey(APP);
        long before = stored(APP);
        byte[] bomb = gzip(new byte[50 * 1024 * 1024]);
        assertThat(bomb.length).isLessThan(100 * 1024);

        TestHttp.Response r = http.post("/api/collect/batch", bomb, KEY, key, CT, JSON, "Content-Encoding", "gzip");

        assertApiError(r, 413, "PAYLOAD_TOO_LARGE");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsCorruptGzipWith400() {
        String key = appKey(APP);
        long before = stored(APP);
        byte[] body = gzip(batch(pageview(APP)).getBytes(StandardCharsets.UTF_8));
        byte[] truncated = java.util.Arrays.copyOf(body, body.length / 2);

        assertApiError(http.post("/api/collect/batch", truncated, KEY, key, CT, JSON, "Content-Encoding", "gzip"),
                400, "MALFORMED_BODY");
        assertApiError(http.post("/api/collect/batch", batch(pageview(APP)), KEY, key, CT, JSON, "Content-Encoding", "gzip"),
                400, "MALFORMED_BODY");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsUnsupportedContentTypeWith415() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = http.post("/api/collect/batch", "<events><event type=\"pageview\"/></events>",
                KEY, key, CT, "application/xml");

        assertApiError(r, 415, "UNSUPPORTED_MEDIA_TYPE");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collect_rejectsUnsupportedContentTypeWith415() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = http.post("/api/collect", json(pageview(APP)), KEY, key, CT, "application/xml");

        assertApiError(r, 415, "UNSUPPORTED_MEDIA_TYPE");
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void collectBatch_rejectsUnsupportedContentEncodingWith415() {
        String key = appKey(APP);
        long before = stored(APP);

        TestHttp.Response r = http.post("/api/collect/batch", batch(pageview(APP)), KEY, key, CT, JSON, "Content-Encoding", "zstd");

        assertApiError(r, 415, "UNSUPPORTED_ENCODING");
        assertThat(stored(APP)).isEqualTo(before);
    }
}
