package dev.traceflow.ingest;

import dev.traceflow.apps.AppDirectory;
import dev.traceflow.apps.IngestKeys;
import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestHttp;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shared helpers of the ingest tests: dedicated apps with their own keys (so stored counts are
 * exact per test class), event builders, and assertions on API.md's answer shapes.
 */
abstract class IngestTestBase extends ServerTest {

    static final String CHROME_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/124.0.0.0 Safari/537.36";
    static final String JSON = "application/json";
    static final String KEY = "X-TraceFlow-Key";
    static final String CT = "Content-Type";
    /** Marks a field to remove in {@link #event}. */
    static final Object ABSENT = new Object();

    /** app id -> key; apps live as long as the shared server (one JVM), so they are created once. */
    private static final Map<String, String> KEYS = new ConcurrentHashMap<>();

    @Autowired
    protected AppDirectory apps;

    /** Creates (once) an app that allows {@code origins} (default {@code *}) and returns its ingest key. */
    protected String appKey(String appId, String... origins) {
        return KEYS.computeIfAbsent(appId, id -> {
            apps.create(id, "Test app " + id, 90, Set.copyOf(Arrays.asList(origins.length == 0 ? new String[]{"*"} : origins)));
            String key = IngestKeys.generate();
            apps.addKey(id, key);
            return key;
        });
    }

    /** A valid event of {@code type} for {@code appId} at the current time, with {@code kv} set (or removed with {@link #ABSENT}). */
    static Map<String, Object> event(String appId, String type, Object... kv) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("appId", appId);
        e.put("type", type);
        e.put("timestamp", System.currentTimeMillis());
        e.put("eventId", UUID.randomUUID().toString());
        e.put("userAgent", CHROME_UA);
        e.put("url", "https://shop.test/products?id=1");
        for (int i = 0; i < kv.length; i += 2) {
            if (kv[i + 1] == ABSENT) {
                e.remove((String) kv[i]);
            } else {
                e.put((String) kv[i], kv[i + 1]);
            }
        }
        return e;
    }

    static Map<String, Object> pageview(String appId) {
        return event(appId, "pageview");
    }

    static String json(Object value) {
        return TestHttp.JSON.writeValueAsString(value);
    }

    @SafeVarargs
    static String batch(Map<String, Object>... events) {
        return json(Map.of("events", List.of(events)));
    }

    TestHttp.Response postJson(String path, String body, String key, String... moreHeaders) {
        String[] headers = new String[4 + moreHeaders.length];
        headers[0] = KEY;
        headers[1] = key;
        headers[2] = CT;
        headers[3] = JSON;
        System.arraycopy(moreHeaders, 0, headers, 4, moreHeaders.length);
        return http.post(path, body, headers);
    }

    long stored(String appId) {
        return storedCount(appId);
    }

    Map<String, Long> storedByType(String appId) {
        awaitStored();
        Instant now = Instant.now();
        return storage.counts().countByType(appId, now.minusSeconds(31L * 86400), now.plusSeconds(2L * 86400));
    }

    /** A 202 answer with these counts; returns the errors array. */
    static JsonNode assertAccepted(TestHttp.Response r, int accepted, int rejected) {
        assertThat(r.status()).as("status of %s", r).isEqualTo(202);
        assertThat(r.header("Content-Type")).as("content type of %s", r).startsWith("application/json");
        JsonNode body = r.json();
        assertThat(body.path("accepted").asInt(-1)).as("accepted in %s", r).isEqualTo(accepted);
        assertThat(body.path("rejected").asInt(-1)).as("rejected in %s", r).isEqualTo(rejected);
        assertThat(body.path("errors").isArray()).as("errors array in %s", r).isTrue();
        assertThat(body.path("errors").size()).as("errors in %s", r).isEqualTo(rejected);
        return body.path("errors");
    }

    /** The error at request index {@code index} of a 202 answer has {@code code} and a message. */
    static void assertErrorAt(TestHttp.Response r, int index, String code) {
        JsonNode match = null;
        for (JsonNode e : r.json().path("errors")) {
            if (e.path("index").asInt(-1) == index) {
                match = e;
            }
        }
        assertThat(match).as("error for index %d in %s", index, r).isNotNull();
        assertThat(match.path("code").asString()).as("code for index %d in %s", index, r).isEqualTo(code);
        assertThat(match.path("message").asString()).as("message for index %d", index).isNotBlank();
    }

    /** API.md's error shape {code, message, details, traceId} with the status, and traceId = X-Trace-Id. */
    static JsonNode assertApiError(TestHttp.Response r, int status, String code) {
        assertThat(r.status()).as("status of %s", r).isEqualTo(status);
        JsonNode body = r.json();
        assertThat(body.path("code").asString()).as("code in %s", r).isEqualTo(code);
        assertThat(body.path("message").asString()).as("message in %s", r).isNotBlank();
        assertThat(body.path("details").isArray()).as("details array in %s", r).isTrue();
        assertThat(body.path("traceId").asString()).as("traceId in %s", r).isNotBlank().isEqualTo(r.header("X-Trace-Id"));
        assertThat(r.body()).doesNotContain("Exception", "\tat ");
        return body;
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** zlib-wrapped deflate, as HTTP's {@code Content-Encoding: deflate} is defined. */
    static byte[] deflate(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DeflaterOutputStream d = new DeflaterOutputStream(out)) {
            d.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
