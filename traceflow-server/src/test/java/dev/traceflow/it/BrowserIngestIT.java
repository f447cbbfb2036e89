package dev.traceflow.it;

import com.sun.net.httpserver.HttpServer;
import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestHttp;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static dev.traceflow.it.BrowserPages.origin;
import static dev.traceflow.it.BrowserPages.resource;
import static dev.traceflow.it.BrowserPages.serve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Browser ingest from a real browser: headless Chromium loads a page from another origin than the
 * server's ({@code src/test/resources/browser/ingest.html}) that sends events the ways browser SDKs
 * do (fetch with the key in a header, a gzip batch compressed by the browser, a text/plain simple
 * request and sendBeacon with the key in the query) and reports what the page could read of each
 * answer. CORS is enforced by the browser, not by our client, so this is what a page really gets.
 * Needs Debian's {@code chromium} ({@code .ci/run} installs it; without it the tests fail under
 * {@code CI=true} and are skipped elsewhere).
 */
// The in-process ITs share one JVM: a server left open would hold the test servers' DuckDB file, and
// an IT with settings of its own (RealtimeNodeIT) could not start its server on it. Each closes its own.
@org.springframework.test.annotation.DirtiesContext(classMode = org.springframework.test.annotation.DirtiesContext.ClassMode.AFTER_CLASS)
class BrowserIngestIT extends ServerTest {

    @TempDir
    Path profile;

    private BrowserPages pages;

    @Autowired
    MeterRegistry meters;

    @BeforeEach
    void chromium() {
        BrowserPages.requireChromium();
        pages = new BrowserPages(profile);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (pages != null) {
            pages.close();
        }
    }

    @Test
    void pageOnAnAllowedOrigin_sendsEveryWay_andReadsEveryAnswer() throws Exception {
        HttpServer page = pages.pageServer();
        String origin = origin(page);
        String appId = "browser-" + Long.toHexString(System.nanoTime());
        String key = app(appId, origin);

        JsonNode seen = openAndAwaitReport(page, "ingest.html", appId, key);

        assertThat(seen.path("pageError").isMissingNode()).as(seen.toString()).isTrue();
        assertThat(assertAnswer(seen.path("headerKey"), 202).path("accepted").asInt()).isEqualTo(1);
        assertThat(assertAnswer(seen.path("gzipBatch"), 202).path("accepted").asInt()).isEqualTo(2);
        JsonNode partly = assertAnswer(seen.path("partlyInvalid"), 202);
        assertThat(partly.path("accepted").asInt()).isEqualTo(1);
        assertThat(partly.path("rejected").asInt()).isEqualTo(1);
        assertThat(partly.path("errors").get(0).path("index").asInt()).isEqualTo(1);
        assertThat(assertAnswer(seen.path("simpleRequest"), 202).path("accepted").asInt()).isEqualTo(1);
        JsonNode headless = assertAnswer(seen.path("headlessUserAgent"), 202);
        assertThat(headless.path("rejected").asInt()).isEqualTo(1);
        assertThat(headless.path("errors").get(0).path("code").asString()).isEqualTo("BOT");
        // a wrong key is an answer the page can act on (stop sending), not a network error to retry
        assertThat(assertAnswer(seen.path("wrongKey"), 401).path("code").asString()).isEqualTo("UNAUTHORIZED");
        assertThat(seen.path("beaconQueued").asBoolean()).isTrue();
        // header, 2 gzip, the valid half of the partly invalid batch, simple, beacon
        assertThat(awaitStoredCount(appId, 6)).isEqualTo(6);
    }

    @Test
    void pageOnAnotherOrigin_cannotSendAnything_andIsToldWhyWhereTheBrowserLetsItAsk() throws Exception {
        HttpServer allowedPage = pages.pageServer();
        HttpServer foreignPage = pages.pageServer();
        String appId = "browser-" + Long.toHexString(System.nanoTime());
        String key = app(appId, origin(allowedPage));
        long refusedBefore = refusedCollects();

        JsonNode seen = openAndAwaitReport(foreignPage, "ingest.html", appId, key);

        assertThat(seen.path("pageError").isMissingNode()).as(seen.toString()).isTrue();
        // a preflight with the key in the query names the app, which does not allow this origin: refused,
        // so the browser never sends the request, and the page sees only a network error
        assertThat(seen.path("partlyInvalid").path("error").asString()).isEqualTo("TypeError");
        // a preflight without the key cannot tell the app: it passes because some app (demo) allows
        // every origin, and the request itself is refused by its app, readably
        assertThat(assertAnswer(seen.path("headerKey"), 403).path("code").asString()).isEqualTo("ORIGIN_NOT_ALLOWED");
        assertThat(assertAnswer(seen.path("gzipBatch"), 403).path("code").asString()).isEqualTo("ORIGIN_NOT_ALLOWED");
        // a simple request is sent without asking: the server refuses it, and the page can read why
        assertThat(assertAnswer(seen.path("simpleRequest"), 403).path("code").asString()).isEqualTo("ORIGIN_NOT_ALLOWED");
        assertThat(assertAnswer(seen.path("headlessUserAgent"), 403).path("code").asString()).isEqualTo("ORIGIN_NOT_ALLOWED");
        assertThat(assertAnswer(seen.path("wrongKey"), 401).path("code").asString()).isEqualTo("UNAUTHORIZED");
        assertThat(seen.path("beaconQueued").asBoolean()).isTrue();
        // the beacon was refused too: nothing of this app is stored. It may land after the page's
        // report, so wait until the server has answered it (the fourth 403 to /api/collect), not a
        // fixed time that a busy machine can outlast
        await().atMost(Duration.ofSeconds(30)).until(() -> refusedCollects() - refusedBefore >= 4);
        assertThat(storedCount(appId)).isZero();
    }

    @Test
    void theWebVitalsLibraryAndTheBrowsersTimings_measureAPage_andAreStoredAsWebVitalsAndAPerformanceEvent() throws Exception {
        HttpServer page = pages.pageServer();
        String appId = "vitals-" + Long.toHexString(System.nanoTime());
        String key = app(appId, origin(page));

        JsonNode seen = openAndAwaitReport(page, "web-vitals.html", appId, key);

        for (String metric : List.of("TTFB", "FCP", "LCP")) {
            JsonNode answer = seen.path(metric);
            assertThat(assertAnswer(answer, 202).path("accepted").asInt()).as(metric + ": " + answer).isEqualTo(1);
            // what the library reported, as it reported it: a number, a rating, its own id
            JsonNode sent = answer.path("sent");
            assertThat(sent.path("value").isNumber()).as(sent.toString()).isTrue();
            assertThat(sent.path("rating").asString()).isIn("good", "needs-improvement", "poor");
            assertThat(sent.path("id").asString()).startsWith("v");
        }
        // the page's own Navigation and Resource Timing, as one performance event
        JsonNode performance = seen.path("performance");
        assertThat(assertAnswer(performance, 202).path("accepted").asInt()).as(performance.toString()).isEqualTo(1);
        assertThat(performance.path("sent").path("metrics").path("load").asDouble()).isPositive();
        assertThat(performance.path("sent").path("resources").findValuesAsString("name"))
                .anyMatch(name -> name.endsWith("/web-vitals.js"));
        awaitStoredCount(appId, 4);
        Instant now = Instant.now();
        assertThat(storage.counts().countByType(appId, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(1))))
                .containsOnly(Map.entry("web-vital", 3L), Map.entry("performance", 1L));
    }

    private static JsonNode assertAnswer(JsonNode answer, int status) {
        assertThat(answer.path("status").asInt()).as(answer.toString()).isEqualTo(status);
        return answer.path("body");
    }

    /** Creates an app that allows one browser origin and returns its ingest key. */
    private String app(String appId, String origin) {
        TestHttp.Response r = http.post("/api/apps", "{\"id\":\"" + appId + "\",\"name\":\"" + appId
                        + "\",\"allowedOrigins\":[\"" + origin + "\"]}",
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return auth.createKey(appId);
    }

    /** Serves {@code src/test/resources/browser/<page>} at / (placeholders filled) and the web-vitals library, opens it, returns its report. */
    private JsonNode openAndAwaitReport(HttpServer pageServer, String page, String appId, String key) throws Exception {
        String html = new String(resource(page), StandardCharsets.UTF_8)
                .replace("__SERVER__", "http://127.0.0.1:" + port)
                .replace("__APP_ID__", appId)
                .replace("__KEY__", key)
                .replace("__PREFIX__", appId + "-");
        serve(pageServer, "/", "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
        serve(pageServer, "/web-vitals.js", "text/javascript", resource("web-vitals-6.2.3.iife.js"));
        pages.open(origin(pageServer) + "/");
        return pages.awaitReport(Duration.ofSeconds(60));
    }

    /** Waits until the app has {@code expected} stored events (a beacon may land after the report), at most 30 s. */
    private long awaitStoredCount(String appId, long expected) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> storedCount(appId), count -> count >= expected);
    }

    /** Answers 403 to POST /api/collect so far, of any test (Spring's request metric; the tests run one at a time). */
    private long refusedCollects() {
        return meters.find("http.server.requests").tags("uri", "/api/collect", "method", "POST", "status", "403")
                .timers().stream().mapToLong(Timer::count).sum();
    }
}
