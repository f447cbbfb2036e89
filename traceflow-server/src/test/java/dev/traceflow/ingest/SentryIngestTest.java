package dev.traceflow.ingest;

import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sentry's envelope and store endpoints over HTTP (issue 23, item 2): the three places an SDK puts
 * its key, the body encodings, CORS, the answers SDKs act on (200 with the id, 400, 401, 403, 413,
 * 429 with X-Sentry-Rate-Limits), and that a malformed envelope stores nothing while one bad item
 * leaves the others stored. What the items become is {@code SentryItemsTest}'s.
 */
class SentryIngestTest extends IngestTestBase {

    private static final String APP = "sentry-ingest";
    private static final String OTHER = "sentry-other";

    @Autowired
    MeterRegistry meters;

    @AfterEach
    void releaseTheClock() {
        CLOCK.release();
    }

    private long project(String appId) {
        return apps.find(appId).orElseThrow().sentryProjectId();
    }

    private String envelopePath(String appId) {
        return "/api/" + project(appId) + "/envelope/";
    }

    private static String eventId() {
        return UUID.randomUUID().toString().replace("-", "");
    }

    /** An envelope of one event item (a message) with the given header fields. */
    static String messageEnvelope(String eventId, String headerJson) {
        String event = "{\"event_id\":\"" + eventId + "\",\"message\":\"hello from a Sentry SDK\",\"level\":\"info\"}";
        return headerJson + "\n{\"type\":\"event\",\"length\":" + event.getBytes(StandardCharsets.UTF_8).length + "}\n" + event + "\n";
    }

    private static String auth(String key) {
        return "Sentry sentry_version=7, sentry_client=sentry.javascript.browser/11.0.0, sentry_key=" + key;
    }

    @Test
    void theKey_mayComeInXSentryAuth_inTheQuery_orInTheEnvelopeHeadersDsn() {
        String key = appKey(APP);
        long before = stored(APP);
        String byHeader = eventId();
        String byQuery = eventId();
        String byDsn = eventId();

        TestHttp.Response header = http.post(envelopePath(APP), messageEnvelope(byHeader, "{}"), "X-Sentry-Auth", auth(key),
                CT, "application/x-sentry-envelope");
        TestHttp.Response query = http.post(envelopePath(APP) + "?sentry_key=" + key + "&sentry_version=7&sentry_client=x%2F1",
                messageEnvelope(byQuery, "{\"event_id\":\"" + byQuery + "\"}"), CT, "text/plain;charset=UTF-8");
        TestHttp.Response dsn = http.post(envelopePath(APP), messageEnvelope(byDsn, "{\"dsn\":\"http://" + key + "@127.0.0.1:" + port
                + "/" + project(APP) + "\"}"));

        assertThat(header.status()).as(header.toString()).isEqualTo(200);
        assertThat(header.json().path("id").asString()).isEqualTo(byHeader);
        assertThat(header.json().path("accepted").asInt()).isEqualTo(1);
        assertThat(query.status()).as(query.toString()).isEqualTo(200);
        assertThat(query.json().path("id").asString()).isEqualTo(byQuery);
        assertThat(dsn.status()).as(dsn.toString()).isEqualTo(200);
        assertThat(stored(APP) - before).isEqualTo(3);
    }

    @Test
    void withoutAKey_orWithAnUnknownOne_is401_andAnotherAppsKeyOrDsnIs403() {
        String key = appKey(APP);
        String otherKey = appKey(OTHER);
        long before = stored(APP);

        assertApiError(http.post(envelopePath(APP), messageEnvelope(eventId(), "{}")), 401, "UNAUTHORIZED");
        assertApiError(http.post(envelopePath(APP), messageEnvelope(eventId(), "{}"), "X-Sentry-Auth", auth("tfk_nope")),
                401, "UNAUTHORIZED");
        // the key is valid, but for another app than the project in the URL
        assertApiError(http.post(envelopePath(APP), messageEnvelope(eventId(), "{}"), "X-Sentry-Auth", auth(otherKey)),
                403, "APP_MISMATCH");
        // an envelope whose header was written for another app's DSN
        String otherDsn = "{\"dsn\":\"http://" + otherKey + "@127.0.0.1/" + project(OTHER) + "\"}";
        assertApiError(http.post(envelopePath(APP), messageEnvelope(eventId(), otherDsn)), 403, "APP_MISMATCH");
        assertApiError(http.post(envelopePath(APP), messageEnvelope(eventId(), otherDsn), "X-Sentry-Auth", auth(key)),
                403, "APP_MISMATCH");
        assertThat(stored(APP)).as("nothing stored").isEqualTo(before);
    }

    @Test
    void bodies_mayBeGzipDeflateOrBrotli() {
        String key = appKey(APP);
        long before = stored(APP);
        byte[] gzip = gzip(messageEnvelope(eventId(), "{}").getBytes(StandardCharsets.UTF_8));
        byte[] deflate = deflate(messageEnvelope(eventId(), "{}").getBytes(StandardCharsets.UTF_8));
        // made with Node's zlib.brotliCompressSync: an envelope of one message event (event_id b10b...), window 2^22
        byte[] brotli = Base64.getDecoder().decode(
                "G3AAkBwHbqzFShR800NwW+oL6cYkHMtBEMR2TB2WvlAAh5yIv2VRoLEGG3CeycO8rHL7t7og4uY/ayFHYPHAzXzznrdLQmMJAw==");

        for (Object[] body : new Object[][]{{"gzip", gzip}, {"deflate", deflate}, {"br", brotli}}) {
            TestHttp.Response r = http.post(envelopePath(APP), (byte[]) body[1], "X-Sentry-Auth", auth(key),
                    "Content-Encoding", (String) body[0]);
            assertThat(r.status()).as(body[0] + ": " + r).isEqualTo(200);
            assertThat(r.json().path("accepted").asInt()).as(body[0] + ": " + r).isEqualTo(1);
        }
        assertThat(stored(APP) - before).isEqualTo(3);

        TestHttp.Response corrupt = http.post(envelopePath(APP), new byte[]{0x1b, 0x70, 0x00, 0x10, 0x7f, 0x7f},
                "X-Sentry-Auth", auth(key), "Content-Encoding", "br");
        assertApiError(corrupt, 400, "MALFORMED_BODY");
    }

    @Test
    void brotliWindows_areReadFromTheFirstByte() {
        assertThat(RequestBodies.brotliWindowBits(0x1b)).as("Node's default, lgwin 22").isEqualTo(22);
        assertThat(RequestBodies.brotliWindowBits(0x1f)).isEqualTo(24);
        assertThat(RequestBodies.brotliWindowBits(0x0b)).isEqualTo(22);
        assertThat(RequestBodies.brotliWindowBits(0x00)).isEqualTo(16);
        assertThat(RequestBodies.brotliWindowBits(0x01)).isEqualTo(17);
        assertThat(RequestBodies.brotliWindowBits(0x21)).isEqualTo(10);
    }

    @Test
    void aBrowserPage_readsTheAnswer_andTheRateLimitHeaders() {
        String browserApp = "sentry-browser";
        String key = appKey(browserApp, "https://shop.example");
        TestHttp.Response ok = http.post(envelopePath(browserApp) + "?sentry_key=" + key, messageEnvelope(eventId(), "{}"),
                CT, "text/plain;charset=UTF-8", "Origin", "https://shop.example");
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.header("Access-Control-Allow-Origin")).isEqualTo("https://shop.example");
        assertThat(ok.header("Access-Control-Expose-Headers")).contains("Retry-After", "X-Sentry-Rate-Limits");

        assertApiError(http.post(envelopePath(browserApp) + "?sentry_key=" + key, messageEnvelope(eventId(), "{}"),
                CT, "text/plain", "Origin", "https://evil.example"), 403, "ORIGIN_NOT_ALLOWED");

        TestHttp.Response preflight = http.send("OPTIONS", envelopePath(browserApp) + "?sentry_key=" + key, null,
                "Origin", "https://shop.example", "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "content-type, x-sentry-auth");
        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.header("Access-Control-Allow-Headers")).contains("X-Sentry-Auth");
    }

    @Test
    void aMalformedEnvelope_is400_andStoresNothing_evenItsGoodItems() {
        String key = appKey(APP);
        long before = stored(APP);
        String good = "{\"type\":\"event\"}\n{\"event_id\":\"" + eventId() + "\",\"message\":\"fine\"}\n";
        String lying = "{\"type\":\"event\",\"length\":3}\n{\"message\":\"the length says 3\"}\n";

        assertApiError(http.post(envelopePath(APP), "{}\n" + good + lying, "X-Sentry-Auth", auth(key)), 400, "MALFORMED_BODY");
        assertApiError(http.post(envelopePath(APP), "not an envelope", "X-Sentry-Auth", auth(key)), 400, "MALFORMED_BODY");

        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void oneUnreadableItem_isListedByPosition_andTheOthersAreStored() {
        String key = appKey(APP);
        long before = stored(APP);
        String envelope = "{}\n"
                + "{\"type\":\"event\"}\n{\"event_id\":\"" + eventId() + "\",\"message\":\"first\"}\n"
                + "{\"type\":\"event\"}\nthis is not JSON\n"
                + "{\"type\":\"event\"}\n{\"event_id\":\"" + eventId() + "\",\"message\":\"third\",\"release\":42}\n"
                + "{\"type\":\"event\"}\n{\"event_id\":\"" + eventId() + "\",\"message\":\"fourth\"}\n";

        TestHttp.Response r = http.post(envelopePath(APP), envelope, "X-Sentry-Auth", auth(key));

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("accepted").asInt()).isEqualTo(2);
        assertThat(r.json().path("rejected").asInt()).isEqualTo(2);
        assertThat(r.json().path("errors").findValues("index")).extracting(JsonNode::asInt).containsExactly(1, 2);
        assertThat(r.json().path("errors").get(0).path("code").asString()).isEqualTo("INVALID_ITEM");
        assertThat(stored(APP) - before).isEqualTo(2);
    }

    @Test
    void itemsOfOtherTypes_areAcceptedCountedAndSkipped_andAnEmptyEnvelopeIsFine() {
        String key = appKey(APP);
        long before = stored(APP);
        double skippedBefore = items(APP, "attachment", "skipped") + items(APP, "other", "skipped");
        String envelope = "{}\n{\"type\":\"attachment\",\"length\":5,\"filename\":\"a.txt\"}\nhello\n"
                + "{\"type\":\"brand_new_type\"}\n{\"anything\":[1,2,3]}\n";

        TestHttp.Response r = http.post(envelopePath(APP), envelope, "X-Sentry-Auth", auth(key));
        TestHttp.Response empty = http.post(envelopePath(APP), "{\"sent_at\":\"2026-12-01T00:00:00Z\"}\n", "X-Sentry-Auth", auth(key));

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("accepted").asInt()).isZero();
        assertThat(r.json().path("rejected").asInt()).isZero();
        assertThat(r.json().has("id")).as("no event, no id").isFalse();
        assertThat(empty.status()).as(empty.toString()).isEqualTo(200);
        assertThat(items(APP, "attachment", "skipped") + items(APP, "other", "skipped") - skippedBefore).isEqualTo(2);
        assertThat(stored(APP)).isEqualTo(before);
    }

    @Test
    void bodiesAndItemsOverTheLimits_are413() {
        String key = appKey(APP);
        String big = "x".repeat((1 << 20) + 1);
        String envelope = "{}\n{\"type\":\"attachment\",\"length\":" + big.length() + "}\n" + big + "\n";

        TestHttp.Response r = http.post(envelopePath(APP), gzip(envelope.getBytes(StandardCharsets.UTF_8)), "X-Sentry-Auth", auth(key),
                "Content-Encoding", "gzip");
        assertApiError(r, 413, "PAYLOAD_TOO_LARGE");
        assertApiError(http.post(envelopePath(APP), "x".repeat((1 << 20) + 10), "X-Sentry-Auth", auth(key)), 413, "PAYLOAD_TOO_LARGE");
    }

    @Test
    void overTheAppsRateLimit_is429_withTheHeadersSentrySdksWaitBy() {
        CLOCK.hold();
        String appId = TestAuth.uniqueName("sentry-limited");
        TestHttp.Response created = http.post("/api/apps", "{\"id\":\"" + appId + "\",\"ingestRateLimit\":100}",
                CT, JSON, "Authorization", "Bearer " + auth.admin());
        assertThat(created.status()).isEqualTo(201);
        String key = auth.createKey(appId);
        StringBuilder burst = new StringBuilder("{}\n");
        for (int i = 0; i < 1000; i++) {
            burst.append("{\"type\":\"event\"}\n{\"message\":\"flood\"}\n");
        }
        String path = "/api/" + project(appId) + "/envelope/";
        assertThat(http.post(path, burst.toString(), "X-Sentry-Auth", auth(key)).status()).isEqualTo(200);

        TestHttp.Response limited = http.post(path, messageEnvelope(eventId(), "{}"), "X-Sentry-Auth", auth(key));

        assertApiError(limited, 429, "RATE_LIMITED");
        long retryAfter = Long.parseLong(limited.header("Retry-After"));
        assertThat(retryAfter).isPositive();
        assertThat(limited.header("X-Sentry-Rate-Limits")).isEqualTo(retryAfter + "::project");
    }

    @Test
    void theStoreEndpoint_takesOneEvent() {
        String key = appKey(APP);
        long before = stored(APP);
        String id = eventId();

        TestHttp.Response r = http.post("/api/" + project(APP) + "/store/?sentry_key=" + key,
                "{\"event_id\":\"" + id + "\",\"message\":\"stored the old way\"}", CT, JSON);

        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("id").asString()).isEqualTo(id);
        assertThat(stored(APP) - before).isEqualTo(1);
        assertApiError(http.post("/api/" + project(APP) + "/store/?sentry_key=" + key, "[]", CT, JSON), 400, "MALFORMED_BODY");
    }

    @Test
    void aRetriedEnvelope_isStoredOnce() {
        String key = appKey(APP);
        long before = stored(APP);
        String envelope = messageEnvelope(eventId(), "{}");

        http.post(envelopePath(APP), envelope, "X-Sentry-Auth", auth(key));
        TestHttp.Response again = http.post(envelopePath(APP), envelope, "X-Sentry-Auth", auth(key));

        assertThat(again.status()).isEqualTo(200);
        assertThat(stored(APP) - before).isEqualTo(1);
    }

    @Test
    void theProjectNumber_mustBeOneOfAnApp() {
        String key = appKey(APP);
        assertApiError(http.post("/api/999999999/envelope/", messageEnvelope(eventId(), "{}"), "X-Sentry-Auth", auth(key)),
                403, "APP_MISMATCH");
        assertThat(http.post("/api/not-a-number/envelope/", "{}", "X-Sentry-Auth", auth(key)).status()).isEqualTo(404);
        assertThat(http.get("/api/apps/" + APP, bearer(auth.admin())).json().path("sentryProjectId").asLong()).isEqualTo(project(APP));
    }

    private double items(String appId, String type, String outcome) {
        Counter c = meters.find("traceflow.ingest.sentry.items").tags("app", appId, "type", type, "outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }
}
