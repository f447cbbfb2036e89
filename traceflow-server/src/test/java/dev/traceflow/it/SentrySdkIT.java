package dev.traceflow.it;

import com.sun.net.httpserver.HttpServer;
import dev.traceflow.processing.grouping.ErrorFingerprinter;
import dev.traceflow.support.Requirements;
import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static dev.traceflow.it.BrowserPages.resource;
import static dev.traceflow.it.BrowserPages.serve;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 23's promise, with the real SDKs: an app that reports with Sentry's SDK switches to TraceFlow
 * by its DSN alone. {@code @sentry/browser} runs in headless Chromium on a page of another origin,
 * {@code @sentry/node} in Node; both send to a DSN from {@code POST /api/apps/{id}/keys}, and the
 * test reads back what they sent through TraceFlow's answers: error groups with their frames, web
 * vitals, page views, release health.
 *
 * <p>Needs the SDKs installed by {@code npm ci && npm run build} in {@code src/test/sentry-sdks}
 * (.ci/run does it; the registry is never reached at test time), Node, and Debian's chromium; without
 * them the tests fail under {@code CI=true} and are skipped elsewhere.
 */
// The in-process ITs share one JVM: a server left open would hold the test servers' DuckDB file, and
// an IT with settings of its own (RealtimeNodeIT) could not start its server on it. Each closes its own.
@org.springframework.test.annotation.DirtiesContext(classMode = org.springframework.test.annotation.DirtiesContext.ClassMode.AFTER_CLASS)
class SentrySdkIT extends ServerTest {

    private static final Path SDKS = Path.of("src/test/sentry-sdks").toAbsolutePath();
    private static final Path BROWSER_BUNDLE = SDKS.resolve("dist/sentry-browser.js");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String DESKTOP_CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/124.0.0.0 Safari/537.36";

    @TempDir
    Path profile;

    private BrowserPages pages;

    @AfterEach
    void stop() throws InterruptedException {
        if (pages != null) {
            pages.close();
        }
    }

    @Test
    void sentryBrowser_onAPageOfAnotherOrigin_reportsErrorsVitalsAndSessions() throws Exception {
        BrowserPages.requireChromium();
        Requirements.require(Files.isRegularFile(BROWSER_BUNDLE), "@sentry/browser bundled at " + BROWSER_BUNDLE
                + " (cd traceflow-server/src/test/sentry-sdks && npm ci && npm run build)");
        pages = new BrowserPages(profile);
        HttpServer page = pages.pageServer();
        String origin = "http://127.0.0.1:" + page.getAddress().getPort();
        String appId = TestAuth.uniqueName("sentry-browser");
        String dsn = appWithDsn(appId, origin);
        String html = new String(resource("sentry-browser.html"), StandardCharsets.UTF_8).replace("__DSN__", dsn);
        serve(page, "/", "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
        serve(page, "/sentry-browser.js", "text/javascript", Files.readAllBytes(BROWSER_BUNDLE));
        Instant from = Instant.now().minusSeconds(60);

        // a user agent without "HeadlessChrome", which the pipeline drops as a bot: this test is about the SDK
        pages.open(origin + "/", "--user-agent=" + DESKTOP_CHROME);
        JsonNode seen = pages.awaitReport(Duration.ofSeconds(90));
        assertThat(seen.path("pageError").isMissingNode()).as(seen.toString()).isTrue();
        assertThat(seen.path("flushed").asBoolean()).as("the SDK sent everything: " + seen).isTrue();
        assertThat(seen.path("sends").size()).as(seen.toString()).isGreaterThanOrEqualTo(4);
        seen.path("sends").forEach(send -> assertThat(send.path("status").asInt()).as(seen.toString()).isEqualTo(200));

        Map<String, JsonNode> groups = awaitErrorGroups(appId, from, 3);
        // the uncaught TypeError: its frames, newest first, start in the function that threw
        JsonNode typeError = groups.get("TypeError");
        assertThat(typeError).as(groups.keySet().toString()).isNotNull();
        JsonNode latest = read("/api/errors/" + typeError.path("id").asString(), appId, from).path("latestEvent");
        assertThat(latest.path("frames").get(0).path("function").asString()).isEqualTo("applyDiscount");
        assertThat(latest.path("frames").get(0).path("file").asString()).isEqualTo(origin + "/");
        assertThat(latest.path("release").asString()).isEqualTo("shop@3.1.0");
        assertThat(latest.path("browser").asString()).isEqualTo("Chrome");
        // captureException with a fingerprint: the group is keyed by it, as by a fingerprint sent to /api/collect
        JsonNode declined = groups.get("payment declined: card 4242");
        assertThat(declined).as(groups.keySet().toString()).isNotNull();
        assertThat(declined.path("fingerprint").asString())
                .isEqualTo(ErrorFingerprinter.fingerprint(null, null, null, List.of("payment-declined")));
        assertThat(groups).containsKey("Checkout took 31 s");

        // the page load (a streamed segment span since SDK 11, a transaction before): a page view, its web vitals
        Map<String, JsonNode> vitals = new HashMap<>();
        read("/api/performance/web-vitals", appId, from).path("metrics").forEach(m -> vitals.put(m.path("name").asString(), m));
        assertThat(vitals).as(vitals.toString()).containsKeys("FCP", "TTFB");
        assertThat(vitals.get("FCP").path("count").asInt()).isEqualTo(1);
        assertThat(storage.counts().countByType(appId, from, Instant.now().plusSeconds(60))).containsEntry("pageview", 1L);

        // the session the SDK started on page load: the uncaught error made it "unhandled" (since SDK 11: an error
        // that did not end the app), an errored session but no crash, as Sentry counts it
        JsonNode release = awaitRelease(appId, from, "shop@3.1.0", r -> r.path("errored").asLong() >= 1);
        assertThat(release.path("sessions").asLong()).isEqualTo(1);
        assertThat(release.path("crashed").asLong()).isZero();
        assertThat(release.path("crashFreeSessionRate").asDouble()).isEqualTo(1.0);
    }

    @Test
    void sentryNode_reportsAnExceptionAndASession_gzipped() throws Exception {
        Requirements.require(Files.isDirectory(SDKS.resolve("node_modules/@sentry/node")),
                "@sentry/node in " + SDKS + "/node_modules (cd traceflow-server/src/test/sentry-sdks && npm ci)");
        String appId = TestAuth.uniqueName("sentry-node");
        String dsn = appWithDsn(appId, null);
        Instant from = Instant.now().minusSeconds(60);

        Process node = new ProcessBuilder("node", "node-app.mjs", dsn).directory(SDKS.toFile()).redirectErrorStream(true).start();
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("node finished within 60 s").isTrue();
        String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.exitValue()).as(out).isZero();
        JsonNode ran = JSON.readTree(out.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow(() -> new AssertionError(out)));
        assertThat(ran.path("statuses").size()).as(out).isPositive();
        ran.path("statuses").forEach(s -> assertThat(s.asInt()).as(out).isEqualTo(200));
        assertThat(ran.path("encodings").toString()).as("the big event went gzipped: " + out).contains("gzip");

        Map<String, JsonNode> groups = awaitErrorGroups(appId, from, 1);
        JsonNode syntaxError = groups.get("SyntaxError");
        assertThat(syntaxError).as(groups.keySet().toString()).isNotNull();
        JsonNode latest = read("/api/errors/" + syntaxError.path("id").asString(), appId, from).path("latestEvent");
        assertThat(latest.path("eventId").asString()).isEqualTo(ran.path("eventId").asString());
        assertThat(latest.path("user").asString()).isEqualTo("node-user-1");
        assertThat(latest.path("frames").findValuesAsString("file")).anyMatch(f -> f.endsWith("/node-app.mjs"));

        JsonNode release = awaitRelease(appId, from, "api@1.0.0", r -> r.path("sessions").asLong() >= 1);
        assertThat(release.path("sessions").asLong()).isEqualTo(1);
        assertThat(release.path("errored").asLong()).as("a handled error: errored, not crashed").isEqualTo(1);
        assertThat(release.path("crashed").asLong()).isZero();
        assertThat(release.path("users").asLong()).isEqualTo(1);
        assertThat(release.path("crashFreeUserRate").asDouble()).isEqualTo(1.0);
    }

    /** An app whose browser pages may come from {@code origin} (null: none), and the DSN of a new key. */
    private String appWithDsn(String appId, String origin) {
        String origins = origin == null ? "" : ",\"allowedOrigins\":[\"" + origin + "\"]";
        TestHttp.Response created = http.post("/api/apps", "{\"id\":\"" + appId + "\"" + origins + "}",
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        TestHttp.Response key = http.post("/api/apps/" + appId + "/keys", "", "Authorization", "Bearer " + auth.admin());
        assertThat(key.status()).as(key.toString()).isEqualTo(201);
        return key.json().path("dsn").asString();
    }

    private JsonNode read(String path, String appId, Instant from) {
        TestHttp.Response r = http.get(path + (path.contains("?") ? "&" : "?") + "appId=" + appId + "&from=" + from
                + "&to=" + Instant.now().plusSeconds(3600) + "&fresh=true", TestAuth.bearer(auth.admin()));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    /** The app's error groups by type (message groups under their message), once there are {@code count}. */
    private Map<String, JsonNode> awaitErrorGroups(String appId, Instant from, int count) {
        Map<String, JsonNode> groups = new HashMap<>();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            groups.clear();
            read("/api/errors", appId, from).path("items").forEach(g -> groups.put(
                    "Error".equals(g.path("type").asString()) ? g.path("message").asString() : g.path("type").asString(), g));
            return groups.size() >= count;
        });
        return groups;
    }

    private JsonNode awaitRelease(String appId, Instant from, String release, Predicate<JsonNode> done) {
        JsonNode[] found = new JsonNode[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            for (JsonNode r : read("/api/releases/health", appId, from).path("items")) {
                if (release.equals(r.path("release").asString()) && done.test(r)) {
                    found[0] = r;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

}
