package dev.traceflow.ingest;

import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Browser ingest: CORS preflights and the {@code Origin} check of real requests. The demo app
 * allows {@code *}; the restricted app here allows only {@code https://shop.test}.
 */
class IngestCorsTest extends IngestTestBase {

    private static final String SHOP = "ingest-cors-shop";
    private static final String ALLOWED = "https://shop.test";
    private static final String FOREIGN = "https://evil.test";

    private TestHttp.Response preflight(String path, String origin) {
        return http.send("OPTIONS", path, null, "Origin", origin, "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "content-type, x-traceflow-key");
    }

    @Test
    void preflight_fromAllowedOrigin_answers204WithCorsHeaders() {
        appKey(SHOP, ALLOWED);

        TestHttp.Response r = preflight("/api/collect/batch", ALLOWED);

        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED);
        assertThat(r.header("Access-Control-Allow-Methods")).contains("POST");
        assertThat(r.header("Access-Control-Allow-Headers")).containsIgnoringCase("X-TraceFlow-Key")
                .containsIgnoringCase("Content-Type");
        assertThat(r.header("Access-Control-Allow-Credentials")).isNull();
    }

    @Test
    void preflight_withKeyOfAppAllowingTheOrigin_answers204() {
        String key = appKey(SHOP, ALLOWED);

        TestHttp.Response r = preflight("/api/collect/batch?key=" + key, ALLOWED);

        assertThat(r.status()).isEqualTo(204);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED);
    }

    @Test
    void preflight_withKeyOfAppNotAllowingTheOrigin_answers403() {
        String key = appKey(SHOP, ALLOWED);

        TestHttp.Response r = preflight("/api/collect/batch?key=" + key, FOREIGN);

        assertApiError(r, 403, "ORIGIN_NOT_ALLOWED");
        assertThat(r.header("Access-Control-Allow-Origin")).isNull();
    }

    @Test
    void preflight_withInvalidKey_answers403() {
        TestHttp.Response r = preflight("/api/collect?key=tfk_unknown", ALLOWED);

        assertApiError(r, 403, "ORIGIN_NOT_ALLOWED");
        assertThat(r.header("Access-Control-Allow-Origin")).isNull();
    }

    @Test
    void post_fromOriginTheKeysAppDoesNotAllow_answers403AndStoresNothing() {
        String key = appKey(SHOP, ALLOWED);
        long before = stored(SHOP);

        TestHttp.Response r = http.post("/api/collect/batch", batch(pageview(SHOP)), KEY, key, CT, JSON, "Origin", FOREIGN);

        assertApiError(r, 403, "ORIGIN_NOT_ALLOWED");
        // the page may read the refusal (so an SDK stops instead of retrying a "network error"); sending stays refused
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo(FOREIGN);
        assertThat(stored(SHOP)).isEqualTo(before);
    }

    @Test
    void sendBeacon_fromOriginTheKeysAppDoesNotAllow_answers403AndStoresNothing() {
        String key = appKey(SHOP, ALLOWED);
        long before = stored(SHOP);

        TestHttp.Response r = http.post("/api/collect/batch?key=" + key, batch(pageview(SHOP)), CT, "text/plain", "Origin", FOREIGN);

        assertApiError(r, 403, "ORIGIN_NOT_ALLOWED");
        assertThat(stored(SHOP)).isEqualTo(before);
    }

    @Test
    void post_fromAllowedOrigin_getsAccessControlAllowOrigin() {
        String key = appKey(SHOP, ALLOWED);
        long before = stored(SHOP);

        TestHttp.Response r = http.post("/api/collect/batch", batch(pageview(SHOP)), KEY, key, CT, JSON, "Origin", ALLOWED);

        assertAccepted(r, 1, 0);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED);
        assertThat(r.raw().headers().allValues("Vary")).anyMatch(v -> v.contains("Origin"));
        assertThat(stored(SHOP)).isEqualTo(before + 1);
    }

    @Test
    void post_fromAnyOriginToAnAppAllowingAll_isStoredAndReadable() {
        long before = storedCount("demo");

        TestHttp.Response r = http.post("/api/collect", json(pageview("demo")), KEY, DEMO_KEY, CT, JSON, "Origin", FOREIGN);

        assertAccepted(r, 1, 0);
        assertThat(r.header("Access-Control-Allow-Origin")).isEqualTo(FOREIGN);
        assertThat(storedCount("demo")).isEqualTo(before + 1);
    }

    @Test
    void errorsBeforeTheAppIsKnown_areReadableByThePage_withTheTraceId() {
        TestHttp.Response noKey = http.post("/api/collect", json(pageview("demo")), CT, JSON, "Origin", FOREIGN);
        TestHttp.Response wrongKey = http.post("/api/collect?key=tfk_no_such_key_000000", json(pageview("demo")), CT, "text/plain",
                "Origin", FOREIGN);
        TestHttp.Response badType = http.post("/api/collect", "<event/>", KEY, DEMO_KEY, CT, "application/xml", "Origin", FOREIGN);

        assertApiError(noKey, 401, "UNAUTHORIZED");
        assertApiError(wrongKey, 401, "UNAUTHORIZED");
        assertThat(badType.status()).isEqualTo(415);
        for (TestHttp.Response r : new TestHttp.Response[] {noKey, wrongKey, badType}) {
            assertThat(r.header("Access-Control-Allow-Origin")).as(r.toString()).isEqualTo(FOREIGN);
            assertThat(r.header("Access-Control-Expose-Headers")).contains("Retry-After", "X-Trace-Id");
            assertThat(r.header("Access-Control-Allow-Credentials")).isNull();
            assertThat(r.raw().headers().allValues("Vary")).anyMatch(v -> v.contains("Origin"));
        }
    }

    @Test
    void requestsWithoutOrigin_andOtherPaths_getNoIngestCorsHeaders() {
        TestHttp.Response server = http.post("/api/collect", json(pageview("demo")), KEY, DEMO_KEY, CT, JSON);
        TestHttp.Response health = http.get("/healthz", "Origin", FOREIGN);

        assertAccepted(server, 1, 0);
        assertThat(server.header("Access-Control-Allow-Origin")).isNull();
        assertThat(health.header("Access-Control-Allow-Origin")).isNull();
    }
}
