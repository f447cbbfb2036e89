package dev.traceflow.it;

import dev.traceflow.builds.LoopbackGitServer;
import dev.traceflow.support.Requirements;
import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.ClassPathResource;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web dashboard as a person uses it (issue 24), in Debian's headless Chromium driven by
 * playwright-core ({@code src/test/node/dashboard.e2e.mjs}, Node's test runner). This class makes an
 * app, an owner, an editor and a viewer on it, sends page views, clicks, errors and web vitals through the ingest API,
 * and a build project whose repository a loopback git server serves (the server's in-process worker runs
 * what the builds page triggers), and hands the script what it should then see; the scenarios are in the script. Screenshots of every
 * page at 1280 x 800 land in {@code target/dashboard-screenshots}.
 * <p>
 * Needs the UI built (Node.js >= 20.19 when Maven built the server), Chromium at
 * {@code /usr/bin/chromium} and {@code npm ci} in {@code src/test/node}; {@code .ci/run} provides all
 * three (a failure under {@code CI=true}, a skip elsewhere).
 */
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class DashboardBrowserIT extends ServerTest {

    static final Path NODE_TESTS = Path.of("src/test/node");
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path SCREENSHOTS = Path.of("target/dashboard-screenshots");
    static final String STACK = "TypeError: basket.total is not a function\n"
            + "    at checkoutSummary (https://shop.test/static/checkout.js:42:17)\n"
            + "    at onClick (https://shop.test/static/app.js:7:3)\n"
            + "    at https://shop.test/node_modules/preact/dist/preact.js:1:2000";

    @BeforeEach
    void needs() {
        Requirements.require(new ClassPathResource("dashboard/index.html").exists(),
                "the dashboard built into target/classes/dashboard (Node.js >= 20.19 and npm when Maven built the server)");
        Requirements.require(Files.isExecutable(CHROMIUM), "Debian's chromium at " + CHROMIUM + " (apt-get install chromium)");
        Requirements.require(Files.isDirectory(NODE_TESTS.resolve("node_modules/playwright-core"))
                        && Files.isDirectory(NODE_TESTS.resolve("node_modules/axe-core")),
                "playwright-core and axe-core installed: npm ci in traceflow-server/src/test/node");
    }

    private static Map<String, Object> event(String app, String type, long at, String session, String path, Object... kv) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("appId", app);
        e.put("type", type);
        e.put("timestamp", at);
        e.put("eventId", UUID.randomUUID().toString());
        e.put("sessionId", session);
        e.put("anonymousId", "visitor-" + session);
        e.put("url", "https://shop.test" + path);
        e.put("userAgent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36");
        for (int i = 0; i < kv.length; i += 2) {
            e.put((String) kv[i], kv[i + 1]);
        }
        return e;
    }

    /** A build script that writes its log over some seconds, so that the page shows it while it runs. */
    static final String SLOW_BUILD = """
            set -e
            i=1
            while [ $i -le %d ]; do
              echo "building step $i of %d"
              i=$((i + 1))
              sleep 0.25
            done
            mkdir -p dist
            echo "built $TRACEFLOW_RELEASE" > dist/done.txt
            echo "release $TRACEFLOW_RELEASE"
            """;
    static final int BUILD_STEPS = 60;

    private JsonNode call(String method, String path, Object body, int expected) {
        byte[] bytes = body == null ? null : TestHttp.JSON.writeValueAsBytes(body);
        TestHttp.Response r = http.send(method, path, bytes, "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(r.status()).as(r.toString()).isEqualTo(expected);
        return r.json();
    }

    /**
     * A repository on a loopback git server whose build writes {@link #BUILD_STEPS} lines a quarter second
     * apart, a template that runs it, and a project of {@code app} with a validated config: what the
     * builds page triggers (the server's in-process worker runs it).
     */
    private Map<String, Object> buildProject(LoopbackGitServer git, String app) throws Exception {
        String name = "dashshop-" + Long.toHexString(System.nanoTime());
        try (Git repo = git.create(name, null)) {
            Path dir = repo.getRepository().getWorkTree().toPath();
            Files.writeString(dir.resolve("build.sh"), SLOW_BUILD.formatted(BUILD_STEPS, BUILD_STEPS));
            repo.add().addFilepattern(".").call();
            repo.commit().setMessage("shop 1.0").setSign(false).call();
            repo.tag().setName("v1.0.0").call();
        }
        String source = call("POST", "/git-sources", Map.of("name", name, "repoUrl", git.url(name)), 201).path("id").asString();
        call("POST", "/git-sources/" + source + "/versions", null, 200);
        String template = call("POST", "/templates", Map.of("name", name + "-tpl", "deployType", "static"), 201).path("id").asString();
        call("POST", "/templates/" + template + "/sources", Map.of("gitSourceId", source, "versionStrategy", Map.of("type", "latest-stable"),
                "buildOrder", 0, "dependencies", List.of(), "build", Map.of("command", List.of("sh", "build.sh"), "artifacts",
                        List.of("dist/**"), "timeout", "PT2M")), 200);
        String project = call("POST", "/projects", Map.of("appId", app, "name", "shop-web", "templateId", template), 201).path("id").asString();
        String config = call("POST", "/configs", Map.of("projectId", project, "config", Map.of()), 201).path("id").asString();
        call("POST", "/configs/" + config + "/validate", null, 200);
        // a second project of the app, without builds: the page lists every project's builds, or one project's
        String other = call("POST", "/projects", Map.of("appId", app, "name", "shop-web-staging", "templateId", template), 201).path("id")
                .asString();
        return Map.of("projectId", project, "configId", config, "steps", BUILD_STEPS, "otherProjectId", other);
    }

    @Test
    void theDashboard_inHeadlessChromium() throws Exception {
        String app = "dash-" + Long.toHexString(System.nanoTime());
        auth.createApp(app);
        String key = auth.createKey(app);
        long now = System.currentTimeMillis();
        long t = now - 20 * 60_000;
        List<Map<String, Object>> events = new ArrayList<>();
        // three sessions, six page views: one bounced, two that looked around
        events.add(event(app, "pageview", t, "s1", "/"));
        events.add(event(app, "pageview", t + 30_000, "s1", "/pricing"));
        events.add(event(app, "pageview", t + 60_000, "s2", "/"));
        events.add(event(app, "pageview", t + 90_000, "s3", "/docs"));
        events.add(event(app, "pageview", t + 120_000, "s3", "/pricing"));
        events.add(event(app, "pageview", t + 150_000, "s3", "/checkout"));
        events.add(event(app, "error", t + 160_000, "s3", "/checkout", "errorType", "TypeError",
                "message", "basket.total is not a function", "stack", STACK, "release", "shop@2.4.0"));
        events.add(event(app, "error", t + 170_000, "s1", "/pricing", "errorType", "TypeError",
                "message", "basket.total is not a function", "stack", STACK, "release", "shop@2.4.0"));
        // clicks on /pricing for its heatmap: two in one cell, one in another
        events.add(event(app, "click", t + 35_000, "s1", "/pricing", "x", 640, "y", 200, "viewportWidth", 1280, "viewportHeight", 800,
                "selector", "#buy"));
        events.add(event(app, "click", t + 36_000, "s1", "/pricing", "x", 641, "y", 201, "viewportWidth", 1280, "viewportHeight", 800,
                "selector", "#buy"));
        events.add(event(app, "click", t + 125_000, "s3", "/pricing", "x", 100, "y", 700, "viewportWidth", 1280, "viewportHeight", 800));
        events.add(event(app, "web-vital", t + 10_000, "s1", "/", "name", "LCP", "value", 4600, "id", "v-lcp-1"));
        events.add(event(app, "web-vital", t + 70_000, "s2", "/", "name", "LCP", "value", 5200, "id", "v-lcp-2"));
        events.add(event(app, "web-vital", t + 70_000, "s2", "/", "name", "CLS", "value", 0.02, "id", "v-cls-2"));
        events.add(event(app, "web-vital", t + 100_000, "s3", "/docs", "name", "INP", "value", 120, "id", "v-inp-3"));
        TestHttp.Response sent = http.post("/api/collect/batch", TestHttp.JSON.writeValueAsString(Map.of("events", events)),
                "Content-Type", "application/json", "X-TraceFlow-Key", key);
        assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
        assertThat(sent.json().path("accepted").asInt()).isEqualTo(events.size());
        awaitStored();
        TestHttp.Response groups = http.get("/api/errors?fresh=true&appId=" + app, TestAuth.bearer(auth.admin()));
        assertThat(groups.status()).as(groups.toString()).isEqualTo(200);
        assertThat(groups.json().path("items").size()).isEqualTo(1);

        Map<String, Object> fixture = new LinkedHashMap<>();
        fixture.put("app", app);
        fixture.put("editor", auth.createMember(app, "dash", "editor"));
        fixture.put("viewer", auth.createMember(app, "dash", "viewer"));
        fixture.put("owner", auth.createMember(app, "dash", "owner"));
        fixture.put("ingestKey", key);
        fixture.put("clicksOnPricing", 3);
        // pages of the app's own site only: the dashboard's live page connects as a page of the server itself
        TestHttp.Response origins = http.send("PATCH", "/api/apps/" + app, "{\"allowedOrigins\":[\"https://shop.test\"]}".getBytes(),
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(origins.status()).as(origins.toString()).isEqualTo(200);
        fixture.put("pageViews", 6);
        fixture.put("sessions", 3);
        fixture.put("errorType", "TypeError");
        fixture.put("errorMessage", "basket.total is not a function");
        fixture.put("inAppFunction", "checkoutSummary");
        fixture.put("errorGroupId", groups.json().path("items").get(0).path("id").asString());
        LoopbackGitServer git = new LoopbackGitServer();
        fixture.put("builds", buildProject(git, app));
        fixture.put("chromium", CHROMIUM.toString());
        fixture.put("screenshotDir", SCREENSHOTS.toAbsolutePath().toString());

        Path log = Files.createTempFile("dashboard-e2e-", ".log");
        ProcessBuilder pb = new ProcessBuilder("node", "--test", "--test-reporter=spec", "--test-concurrency=1", "dashboard.e2e.mjs")
                .directory(NODE_TESTS.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        // localhost, not 127.0.0.1: Chromium keeps the Secure refresh cookie for http://localhost only
        pb.environment().put("TRACEFLOW_URL", "http://localhost:" + port);
        pb.environment().put("TRACEFLOW_FIXTURE", TestHttp.JSON.writeValueAsString(fixture));
        Process node = pb.start();
        boolean finished;
        try {
            finished = node.waitFor(10, TimeUnit.MINUTES);
            if (!finished) {
                node.destroyForcibly();
            }
        } finally {
            git.close();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(finished).as("the browser tests finished within 10 minutes:\n" + output).isTrue();
        assertThat(node.exitValue()).as("the browser tests passed:\n" + output).isZero();
        assertThat(output).containsPattern("(?m)^ℹ fail 0$").containsPattern("(?m)^ℹ tests [1-9]").containsPattern("(?m)^ℹ skipped 0$");
        try (var shots = Files.list(SCREENSHOTS)) {
            assertThat(shots.filter(p -> p.toString().endsWith(".png")).count()).isGreaterThanOrEqualTo(24);
        }
    }
}
