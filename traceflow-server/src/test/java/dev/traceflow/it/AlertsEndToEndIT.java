package dev.traceflow.it;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;
import dev.traceflow.alerts.WebhookSignature;
import dev.traceflow.support.PostgresSchema;
import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 22 "Done when": every kind of rule fires and resolves against the real server with its own
 * scheduler running (a one-second tick, rules due every minute), metadata on the machine's
 * PostgreSQL, events in through the collect API, webhooks received by an HTTP server on loopback
 * with their signatures verified, e-mail received by a real SMTP server (GreenMail).
 *
 * <p>Scheduled rules measure complete minutes and each rule is due at its own second of the
 * minute ({@code nextEvaluationAt}): the test dates its events in the current minute, the window of
 * exactly one evaluation (the next minute's), sends them before that minute starts (its first
 * evaluation waits until they are loaded), then waits for the incident to start and, a minute later,
 * to resolve.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class AlertsEndToEndIT {

    static final PostgresSchema DB = new PostgresSchema("traceflow_alerts_it_");
    static final String SECRET = "end-to-end-webhook-secret";
    static final GreenMail SMTP = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    static final List<Hook> HOOKS = new CopyOnWriteArrayList<>();
    static final HttpServer RECEIVER = receiver();

    record Hook(Instant at, String signature, byte[] body, JsonNode json) {
    }

    static HttpServer receiver() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.createContext("/hook", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                HOOKS.add(new Hook(Instant.now(), exchange.getRequestHeaders().getFirst(WebhookSignature.HEADER), body,
                        TestHttp.JSON.readTree(body)));
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void settings(DynamicPropertyRegistry registry) throws Exception {
        DB.register(registry);
        SMTP.start();
        registry.add("traceflow.bootstrap.ingest-key", () -> "alerts-it-demo-key-0123");
        registry.add("traceflow.bootstrap.admin-password", () -> ServerTest.ADMIN_PASSWORD);
        registry.add("traceflow.auth.bcrypt-strength", () -> "4");
        registry.add("traceflow.alerts.tick", () -> "1s");
        registry.add("traceflow.outbound.allowed-networks", () -> "127.0.0.1/32");
        registry.add("traceflow.alerts.delivery.base-delay", () -> "200ms");
        registry.add("traceflow.smtp.host", () -> "127.0.0.1");
        registry.add("traceflow.smtp.port", () -> Integer.toString(SMTP.getSmtp().getPort()));
        registry.add("traceflow.smtp.from", () -> "TraceFlow Alerts <alerts@traceflow.test>");
        registry.add("traceflow.smtp.starttls", () -> "false"); // GreenMail speaks plain SMTP
    }

    @AfterAll
    static void cleanUp() throws Exception {
        RECEIVER.stop(0);
        SMTP.stop();
        DB.drop();
    }

    @LocalServerPort
    int port;

    TestHttp http;
    TestAuth auth;

    @BeforeEach
    void clients() {
        http = new TestHttp("http://127.0.0.1:" + port);
        auth = new TestAuth(http);
        TestAuth.forgetCachedTokens();
    }

    private JsonNode post(String path, Object body, int status) {
        TestHttp.Response r = http.post(path, TestHttp.JSON.writeValueAsString(body), "Content-Type", "application/json",
                "Authorization", "Bearer " + auth.admin());
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        return r.json();
    }

    private void send(String key, List<Map<String, Object>> events) {
        TestHttp.Response r = http.post("/api/collect/batch", TestHttp.JSON.writeValueAsString(Map.of("events", events)),
                "Content-Type", "application/json", "X-TraceFlow-Key", key);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
    }

    private static Map<String, Object> event(String app, String type, Instant at, String path) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("appId", app);
        e.put("type", type);
        e.put("timestamp", at.toEpochMilli());
        e.put("eventId", UUID.randomUUID().toString());
        e.put("url", "https://shop.test" + path);
        e.put("sessionId", "s-" + UUID.randomUUID());
        if (type.equals("error")) {
            e.put("message", "checkout is undefined");
            e.put("errorType", "TypeError");
            e.put("stack", "TypeError: checkout is undefined\n    at pay (https://shop.test/static/pay.js:3:7)");
        }
        return e;
    }

    private static List<Map<String, Object>> pageViews(String app, int count, Instant at, String path) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(event(app, "pageview", at.minusMillis(i), path));
        }
        return out;
    }

    /** The first webhook of an incident's event (firing or resolved), waiting up to {@code seconds}. */
    private static Hook awaitHook(String ruleId, String event, int seconds) throws InterruptedException {
        Predicate<Hook> matches = h -> h.json().path("rule").path("id").asString().equals(ruleId)
                && h.json().path("event").asString().equals(event);
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            for (Hook h : HOOKS) {
                if (matches.test(h)) {
                    return h;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no '" + event + "' webhook for rule " + ruleId + " within " + seconds + " s; got " + HOOKS.size()
                + " webhooks");
    }

    private static void assertSigned(Hook h) {
        assertThat(WebhookSignature.verify(SECRET, h.signature(), h.body(), Instant.now(), Duration.ofMinutes(5)))
                .as("X-TraceFlow-Signature verifies with the channel's secret").isTrue();
    }

    /**
     * The minute whose window the scheduled rules will measure: the current one, if the events sent
     * now are acknowledged well before it ends (then the next minute's first evaluation, which waits
     * for every event acknowledged until it starts, counts them, however long the loader would have
     * held them).
     */
    private static Instant windowForEventsSentNow() throws InterruptedException {
        Instant now = Instant.now();
        Instant start = now.truncatedTo(ChronoUnit.MINUTES);
        Instant end = start.plus(Duration.ofMinutes(1));
        if (Duration.between(now, end).compareTo(Duration.ofSeconds(10)) < 0) {
            Thread.sleep(Duration.between(now, end).toMillis() + 1_000); // into the next minute, with room for the events' dates
            return windowForEventsSentNow();
        }
        if (Duration.between(start, now).compareTo(Duration.ofSeconds(1)) < 0) {
            Thread.sleep(1_000);
        }
        return start;
    }

    /** The rule's evaluation in the minute after {@code window}: on its own beat, a second of that minute. */
    private Instant evaluationAfter(String ruleId, Instant window) {
        JsonNode rule = http.get("/api/alerts/rules/" + ruleId, TestAuth.bearer(auth.admin())).json();
        Instant next = Instant.parse(rule.path("nextEvaluationAt").asString());
        Duration beat = Duration.between(next.truncatedTo(ChronoUnit.MINUTES), next);
        return window.plus(Duration.ofMinutes(1)).plus(beat);
    }

    /** {@code at}, checked to be inside the minute starting at {@code window} with the 20 ms before it that {@link #pageViews} uses. */
    private static Instant insideWindow(Instant window, Instant at) {
        assertThat(at.minusMillis(20)).as("dated inside the window").isBetween(window, window.plus(Duration.ofSeconds(59)));
        return at;
    }

    @Test
    void everyKindFiresAndResolves_withSignedWebhooksAndEmail() throws Exception {
        String app = TestAuth.uniqueName("alerts-e2e");
        auth.createApp(app);
        String key = auth.createKey(app);
        String webhook = post("/api/alerts/channels", Map.of("appId", app, "type", "webhook",
                "url", "http://127.0.0.1:" + RECEIVER.getAddress().getPort() + "/hook", "secret", SECRET), 201).path("id").asString();
        String email = post("/api/alerts/channels", Map.of("appId", app, "type", "email", "to", List.of("oncall@traceflow.test")), 201)
                .path("id").asString();

        String newGroup = post("/api/alerts/rules", Map.of("appId", app, "name", "New errors", "kind", "new_error_group",
                "channelIds", List.of(webhook, email)), 201).path("id").asString();
        String regression = post("/api/alerts/rules", Map.of("appId", app, "name", "Regressions", "kind", "regression",
                "channelIds", List.of(webhook)), 201).path("id").asString();
        Map<String, Object> threshold = new LinkedHashMap<>(Map.of("appId", app, "name", "Busy checkout", "kind", "threshold",
                "metric", "page_views", "filters", Map.of("path", "/threshold"), "window", "PT1M", "comparison", "gte",
                "threshold", 3, "channelIds", List.of(webhook)));
        String thresholdRule = post("/api/alerts/rules", threshold, 201).path("id").asString();
        Map<String, Object> anomaly = new LinkedHashMap<>(Map.of("appId", app, "name", "Traffic spike", "kind", "anomaly",
                "metric", "page_views", "filters", Map.of("path", "/anomaly"), "window", "PT1M", "comparison", "gt", "weeks", 2,
                "channelIds", List.of(webhook)));
        String anomalyRule = post("/api/alerts/rules", anomaly, 201).path("id").asString();

        // scheduled rules: events dated in the current minute, acknowledged before it ends, which is the
        // window both rules measure at their evaluation in the next minute (and no other evaluation does)
        Instant window = windowForEventsSentNow();
        Instant dated = insideWindow(window, Instant.now());
        Instant thresholdAt = evaluationAfter(thresholdRule, window);
        Instant anomalyAt = evaluationAfter(anomalyRule, window);
        send(key, pageViews(app, 3, dated, "/threshold"));
        send(key, pageViews(app, 2, dated.minus(Duration.ofDays(7)), "/anomaly"));
        send(key, pageViews(app, 2, dated.minus(Duration.ofDays(14)), "/anomaly"));
        send(key, pageViews(app, 20, dated, "/anomaly"));
        assertThat(Instant.now()).as("acknowledged before the window ended").isBefore(window.plus(Duration.ofMinutes(1)));

        // a new error group: webhook and e-mail within seconds of the 202
        Instant sent = Instant.now();
        send(key, List.of(event(app, "error", sent, "/pay")));
        Hook fired = awaitHook(newGroup, "firing", 15);
        assertSigned(fired);
        assertThat(fired.json().path("incident").path("title").asString()).contains("new error TypeError: checkout is undefined");
        assertThat(Duration.between(sent, fired.at())).isLessThan(Duration.ofSeconds(15));
        assertThat(SMTP.waitForIncomingEmail(15_000, 1)).as("the e-mail channel's message").isTrue();
        MimeMessage mail = SMTP.getReceivedMessages()[0];
        assertThat(mail.getSubject()).startsWith("[TraceFlow] Firing: New errors: new error TypeError");
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("oncall@traceflow.test");

        // resolving the group resolves its incident; a new event of the resolved group is a regression
        String groupId = fired.json().path("facts").path("errorGroupId").asString();
        TestHttp.Response patched = http.send("PATCH", "/api/errors/" + groupId, "{\"status\":\"resolved\"}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        assertSigned(awaitHook(newGroup, "resolved", 15));
        assertThat(SMTP.waitForIncomingEmail(15_000, 2)).isTrue();
        assertThat(SMTP.getReceivedMessages()[1].getSubject()).startsWith("[TraceFlow] Resolved: New errors");
        send(key, List.of(event(app, "error", Instant.now(), "/pay")));
        Hook regressed = awaitHook(regression, "firing", 15);
        assertSigned(regressed);
        assertThat(regressed.json().path("incident").path("title").asString()).contains("regression of TypeError");
        http.send("PATCH", "/api/errors/" + groupId, "{\"status\":\"ignored\"}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertSigned(awaitHook(regression, "resolved", 15));

        // the scheduled rules, by the server's own scheduler: fire at their evaluation, resolve a minute later
        int toFire = (int) Math.max(Duration.between(Instant.now(), thresholdAt).toSeconds(),
                Duration.between(Instant.now(), anomalyAt).toSeconds()) + 20;
        Hook thresholdFired = awaitHook(thresholdRule, "firing", toFire);
        assertSigned(thresholdFired);
        assertThat(thresholdFired.json().path("incident").path("value").asDouble()).isEqualTo(3.0);
        Hook anomalyFired = awaitHook(anomalyRule, "firing", toFire);
        assertThat(anomalyFired.json().path("incident").path("value").asDouble()).isEqualTo(20.0);
        assertThat(anomalyFired.json().path("incident").path("title").asString()).contains("above its usual");
        assertSigned(awaitHook(thresholdRule, "resolved", 90));
        assertSigned(awaitHook(anomalyRule, "resolved", 90));

        // the history says the same, deliveries included
        JsonNode incidents = http.get("/api/alerts?appId=" + app, TestAuth.bearer(auth.admin())).json().path("items");
        assertThat(incidents).hasSize(4);
        for (JsonNode incident : incidents) {
            assertThat(incident.path("state").asString()).as(incident.toString()).isEqualTo("resolved");
            for (JsonNode d : incident.path("deliveries")) {
                assertThat(d.path("status").asString()).as(d.toString()).isEqualTo("delivered");
            }
        }
    }
}
