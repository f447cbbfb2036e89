package dev.traceflow.alerts;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Alerts over HTTP against the whole server: rules and channels through the API, events through
 * ingest, scheduled rules evaluated by calling the engine with a time the test chooses (the
 * server's own rounds are off in tests), event-driven rules fed by the stored-events signal.
 */
class AlertsApiTest extends ServerTest {

    private static final Map<String, String> KEYS = new ConcurrentHashMap<>();

    private static final String SECRET = "a-webhook-secret-of-enough-length";
    private static final LoopbackReceiver RECEIVER = receiver();

    private static LoopbackReceiver receiver() {
        try {
            return new LoopbackReceiver();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @org.junit.jupiter.api.AfterAll
    static void stopReceiver() {
        RECEIVER.close();
    }

    @Autowired
    AlertEngine engine;
    @Autowired
    ErrorGroupAlerts errorGroupAlerts;
    @Autowired
    AlertSender sender;
    @Autowired
    JdbcAlertRules rules;
    @Autowired
    JdbcIncidents incidentStore;
    @Autowired
    Notifier notifier;
    @Autowired
    org.springframework.transaction.support.TransactionTemplate tx;
    @Autowired
    dev.traceflow.TraceFlowProperties properties;
    @Autowired
    io.micrometer.core.instrument.MeterRegistry registry;

    private String app(String prefix) {
        String app = TestAuth.uniqueName(prefix);
        auth.createApp(app);
        KEYS.put(app, auth.createKey(app));
        return app;
    }

    private TestHttp.Response post(String path, Object body, String token) {
        return http.post(path, TestHttp.JSON.writeValueAsString(body), "Content-Type", "application/json", "Authorization",
                "Bearer " + token);
    }

    private TestHttp.Response put(String path, Object body, String token) {
        return http.send("PUT", path, TestHttp.JSON.writeValueAsBytes(body), "Content-Type", "application/json", "Authorization",
                "Bearer " + token);
    }

    private JsonNode created(TestHttp.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json();
    }

    private JsonNode ok(TestHttp.Response r) {
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return r.json();
    }

    /** A webhook channel to the test's loopback receiver, at a path of the app's own. */
    private String channel(String app) {
        return created(post("/api/alerts/channels", Map.of("appId", app, "type", "webhook", "url", RECEIVER.url("/hook/" + app),
                "secret", SECRET), auth.admin())).path("id").asString();
    }

    /** The webhooks the receiver got for an app, waiting until there are at least {@code count}. */
    private static List<LoopbackReceiver.Received> webhooks(String app, int count) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        List<LoopbackReceiver.Received> got;
        do {
            got = RECEIVER.received().stream().filter(r -> r.path().equals("/hook/" + app)).toList();
            if (got.size() >= count) {
                return got;
            }
            Thread.sleep(20);
        } while (System.currentTimeMillis() < deadline);
        return got;
    }

    private static Map<String, Object> threshold(String app, String channelId, String metric, String comparison, Object threshold) {
        Map<String, Object> rule = new LinkedHashMap<>();
        rule.put("appId", app);
        rule.put("name", "too many " + metric);
        rule.put("kind", "threshold");
        rule.put("metric", metric);
        rule.put("window", "PT30M");
        rule.put("comparison", comparison);
        rule.put("threshold", threshold);
        rule.put("channelIds", channelId == null ? List.of() : List.of(channelId));
        return rule;
    }

    private void send(String app, List<Map<String, Object>> events) {
        TestHttp.Response r = http.post("/api/collect/batch", TestHttp.JSON.writeValueAsString(Map.of("events", events)),
                "Content-Type", "application/json", "X-TraceFlow-Key", KEYS.get(app));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        awaitStored();
    }

    private static Map<String, Object> event(String app, String type, Instant at, String release) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("appId", app);
        e.put("type", type);
        e.put("timestamp", at.toEpochMilli());
        e.put("eventId", UUID.randomUUID().toString());
        e.put("url", "https://shop.test/cart");
        e.put("sessionId", "s-" + UUID.randomUUID());
        e.put("release", release);
        if (type.equals("error")) {
            e.put("message", "cart is undefined " + UUID.randomUUID()); // the same message shape: one group
            e.put("errorType", "TypeError");
            e.put("stack", "TypeError: cart is undefined\n    at render (https://shop.test/static/app.js:10:5)");
        }
        return e;
    }

    private List<Map<String, Object>> events(String app, String type, int count, Instant around, String release) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(event(app, type, around.minusSeconds(10L * i), release));
        }
        return out;
    }

    private JsonNode incidents(String app) {
        return ok(http.get("/api/alerts?appId=" + app, TestAuth.bearer(auth.admin()))).path("items");
    }

    private JsonNode rule(String id) {
        return ok(http.get("/api/alerts/rules/" + id, TestAuth.bearer(auth.admin())));
    }

    private void awaitErrorGroupAlerts() throws InterruptedException {
        assertThat(errorGroupAlerts.awaitIdle(10_000)).isTrue();
    }

    /**
     * Waits until the app's incidents satisfy the condition: an error-group change reaches the
     * alerts only after the store has loaded the events and the error groups have been updated, a
     * little after the ingest answer.
     */
    private JsonNode awaitIncidents(String app, java.util.function.Predicate<JsonNode> condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        JsonNode list = incidents(app);
        while (!condition.test(list) && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            list = incidents(app);
        }
        return list;
    }

    // threshold rules

    @Test
    void threshold_firesOnceWhenTheConditionHolds_andResolvesWhenItNoLongerDoes() throws Exception {
        String app = app("alerts-threshold");
        String channelId = channel(app);
        String ruleId = created(post("/api/alerts/rules", threshold(app, channelId, "error_count", "gt", 3), auth.admin()))
                .path("id").asString();
        Instant now = CLOCK.instant();
        send(app, events(app, "error", 5, now.minus(Duration.ofMinutes(5)), "1.0"));

        Instant t1 = now.plus(Duration.ofMinutes(2));
        assertThat(engine.evaluateDue(t1)).isGreaterThanOrEqualTo(1);
        JsonNode firing = rule(ruleId);
        assertThat(firing.path("state").asString()).isEqualTo("firing");
        assertThat(firing.path("lastValue").asDouble()).isEqualTo(5.0);
        JsonNode list = incidents(app);
        assertThat(list).hasSize(1);
        JsonNode incident = list.get(0);
        assertThat(incident.path("state").asString()).isEqualTo("firing");
        assertThat(incident.path("ruleId").asString()).isEqualTo(ruleId);
        assertThat(incident.path("value").asDouble()).isEqualTo(5.0);
        assertThat(incident.path("title").asString()).contains("error_count 5 > 3");
        assertThat(incident.path("deliveries")).hasSize(1);
        assertThat(incident.path("deliveries").get(0).path("event").asString()).isEqualTo("firing");
        assertThat(incident.path("deliveries").get(0).path("channelId").asString()).isEqualTo(channelId);
        LoopbackReceiver.Received hook = webhooks(app, 1).getFirst();
        // signed at the server's time: the tests' shared clock, which other tests may have moved ahead
        assertThat(WebhookSignature.verify(SECRET, hook.header(WebhookSignature.HEADER), hook.body(), CLOCK.instant(),
                Duration.ofMinutes(5))).as("signed with the channel's secret").isTrue();
        JsonNode payload = TestHttp.JSON.readTree(hook.body());
        assertThat(payload.path("event").asString()).isEqualTo("firing");
        assertThat(payload.path("incident").path("id").asString()).isEqualTo(incident.path("id").asString());
        assertThat(payload.path("incident").path("value").asDouble()).isEqualTo(5.0);
        assertThat(payload.path("rule").path("id").asString()).isEqualTo(ruleId);
        assertThat(hook.header("X-TraceFlow-Delivery")).isEqualTo(incident.path("deliveries").get(0).path("id").asString());
        assertThat(awaitIncidents(app, l -> l.get(0).path("deliveries").get(0).path("status").asString().equals("delivered")))
                .as("the attempt is recorded").isNotEmpty();

        // still holding a minute later: no second incident, no second notification
        engine.evaluateDue(t1.plus(Duration.ofMinutes(1)));
        assertThat(incidents(app)).hasSize(1);
        assertThat(incidents(app).get(0).path("deliveries")).hasSize(1);

        // two hours on the errors are out of the window: resolved, with its own notification
        engine.evaluateDue(t1.plus(Duration.ofHours(2)));
        JsonNode resolved = incidents(app).get(0);
        assertThat(resolved.path("state").asString()).isEqualTo("resolved");
        assertThat(resolved.path("resolvedAt").isMissingNode()).isFalse();
        assertThat(resolved.path("deliveries")).hasSize(2);
        assertThat(resolved.path("deliveries").get(1).path("event").asString()).isEqualTo("resolved");
        List<LoopbackReceiver.Received> hooks = webhooks(app, 2);
        assertThat(hooks).hasSize(2);
        assertThat(TestHttp.JSON.readTree(hooks.get(1).body()).path("event").asString()).isEqualTo("resolved");
        assertThat(rule(ruleId).path("state").asString()).isEqualTo("ok");
    }

    @Test
    void threshold_withFor_staysPendingUntilTheConditionHeldThatLong_andFiltersScopeTheMetric() {
        String app = app("alerts-for");
        Map<String, Object> body = threshold(app, null, "page_views", "gte", 4);
        body.put("for", "PT2M");
        body.put("filters", Map.of("release", "2.0"));
        String ruleId = created(post("/api/alerts/rules", body, auth.admin())).path("id").asString();
        Map<String, Object> other = threshold(app, null, "page_views", "gte", 4);
        other.put("filters", Map.of("release", "1.0"));
        String otherId = created(post("/api/alerts/rules", other, auth.admin())).path("id").asString();
        Instant now = CLOCK.instant();
        send(app, events(app, "pageview", 4, now.minus(Duration.ofMinutes(3)), "2.0"));

        Instant t1 = now.plus(Duration.ofMinutes(2));
        engine.evaluateDue(t1);
        assertThat(rule(ruleId).path("state").asString()).isEqualTo("pending");
        assertThat(rule(otherId).path("state").asString()).as("release 1.0 has no page views").isEqualTo("ok");
        engine.evaluateDue(t1.plus(Duration.ofMinutes(1)));
        assertThat(rule(ruleId).path("state").asString()).isEqualTo("pending");
        assertThat(incidents(app)).isEmpty();
        engine.evaluateDue(t1.plus(Duration.ofMinutes(2)));
        assertThat(rule(ruleId).path("state").asString()).isEqualTo("firing");
        assertThat(incidents(app)).hasSize(1);
    }

    @Test
    void threshold_onARatioBelowMinSamples_decidesNothing() {
        String app = app("alerts-samples");
        Map<String, Object> body = threshold(app, null, "error_rate", "gt", 0.1);
        body.put("minSamples", 10);
        String ruleId = created(post("/api/alerts/rules", body, auth.admin())).path("id").asString();
        Instant now = CLOCK.instant();
        send(app, events(app, "pageview", 3, now.minus(Duration.ofMinutes(5)), "1.0"));
        send(app, events(app, "error", 3, now.minus(Duration.ofMinutes(5)), "1.0"));

        engine.evaluateDue(now.plus(Duration.ofMinutes(2)));
        JsonNode r = rule(ruleId);
        assertThat(r.path("state").asString()).isEqualTo("ok");
        assertThat(r.path("lastValue").asDouble()).as("1 error per page view, but over only 3 page views").isEqualTo(1.0);
        assertThat(incidents(app)).isEmpty();
    }

    @Test
    void anomaly_firesOnASpikeAgainstTheSameWindowInPastWeeks_andResolvesWhenTrafficIsBackInTheBand() {
        String app = app("alerts-anomaly");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("appId", app);
        body.put("name", "traffic spike");
        body.put("kind", "anomaly");
        body.put("metric", "page_views");
        body.put("window", "PT10M");
        body.put("comparison", "gt");
        body.put("weeks", 3);
        body.put("channelIds", List.of());
        String ruleId = created(post("/api/alerts/rules", body, auth.admin())).path("id").asString();
        Instant now = CLOCK.instant();
        Instant t1 = now.plus(Duration.ofMinutes(2));
        Instant windowEnd = t1.truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        for (int week = 1; week <= 3; week++) {
            send(app, events(app, "pageview", 10 + week, windowEnd.minus(Duration.ofDays(7L * week)).minusSeconds(30), "1.0"));
        }
        send(app, events(app, "pageview", 40, now.minusSeconds(30), "1.0"));

        engine.evaluateDue(t1);
        JsonNode r = rule(ruleId);
        assertThat(r.path("state").asString()).as(r.toString()).isEqualTo("firing");
        JsonNode incident = incidents(app).get(0);
        assertThat(incident.path("value").asDouble()).isEqualTo(40.0);
        assertThat(incident.path("title").asString()).contains("above its usual");

        // an hour later this window is empty and so are the past weeks' at that hour: not enough history, not holding
        engine.evaluateDue(t1.plus(Duration.ofHours(1)));
        assertThat(incidents(app).get(0).path("state").asString()).isEqualTo("resolved");
    }

    @Test
    void aRuleWhoseQueryFails_goesToErrorAndSaysWhy_andRecoversWithTheNextGoodQuery() {
        String app = app("alerts-failing");
        String ruleId = created(post("/api/alerts/rules", threshold(app, null, "error_count", "gt", 100), auth.admin()))
                .path("id").asString();
        StoreSources broken = new StoreSources(storage, null, writeQueue) {
            @Override
            double[] perMinute(AdditiveSeries series, dev.traceflow.core.query.EventQuery q) {
                throw new dev.traceflow.core.storage.StorageException("the event store is not answering");
            }
        };
        AlertEngine failing = new AlertEngine(rules, incidentStore, broken, notifier, storage, tx, properties, registry);
        Instant t1 = CLOCK.instant().plus(Duration.ofMinutes(2));

        failing.evaluateDue(t1);
        JsonNode r = rule(ruleId);
        assertThat(r.path("state").asString()).isEqualTo("error");
        assertThat(r.path("lastError").asString()).isEqualTo("the event store is not answering");

        engine.evaluateDue(t1.plus(Duration.ofMinutes(1)));
        JsonNode back = rule(ruleId);
        assertThat(back.path("state").asString()).isEqualTo("ok");
        assertThat(back.path("lastError").isNull() || back.path("lastError").isMissingNode()).as(back.toString()).isTrue();
        assertThat(back.path("lastValue").asDouble()).isEqualTo(0.0);
    }

    @Test
    void aRealtimeChannel_publishesTheAlertOnTheAppsTopic() {
        String app = app("alerts-realtime");
        JsonNode channel = created(post("/api/alerts/channels", Map.of("appId", app, "type", "realtime", "topic", "alerts:ops"),
                auth.admin()));
        assertThat(channel.path("topic").asString()).isEqualTo("alerts:ops");
        created(post("/api/alerts/rules", threshold(app, channel.path("id").asString(), "error_count", "gt", 0), auth.admin()));
        Instant now = CLOCK.instant();
        send(app, events(app, "error", 1, now.minus(Duration.ofMinutes(3)), "1.0"));

        engine.evaluateDue(now.plus(Duration.ofMinutes(2)));
        JsonNode delivery = incidents(app).get(0).path("deliveries").get(0);
        assertThat(delivery.path("channelType").asString()).isEqualTo("realtime");
        assertThat(delivery.path("status").asString()).as(delivery.toString()).isEqualTo("delivered");
        assertThat(delivery.path("detail").asString()).isEqualTo("topic alerts:ops seq 1");
    }

    @Test
    void rulesAskingTheSameQuestion_inOneMinute_shareOneQuery_evenInDifferentRounds() {
        String app = app("alerts-shared");
        java.util.concurrent.atomic.AtomicInteger queries = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger catchUps = new java.util.concurrent.atomic.AtomicInteger();
        StoreSources counting = new StoreSources(storage, null, writeQueue) {
            @Override
            double[] perMinute(AdditiveSeries series, dev.traceflow.core.query.EventQuery q) {
                if (q.appId().equals(app)) {
                    queries.incrementAndGet();
                }
                return super.perMinute(series, q);
            }

            @Override
            boolean catchUp() {
                catchUps.incrementAndGet();
                return super.catchUp();
            }
        };
        AlertEngine shared = new AlertEngine(rules, incidentStore, counting, notifier, storage, tx, properties, registry);
        Instant minute = CLOCK.instant().plus(Duration.ofMinutes(3)).truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        created(post("/api/alerts/rules", threshold(app, null, "error_count", "gt", 1), auth.admin()));
        shared.evaluateDue(minute.plusSeconds(10));
        created(post("/api/alerts/rules", threshold(app, null, "error_count", "gt", 5), auth.admin()));
        shared.evaluateDue(minute.plusSeconds(20)); // a later round of the same minute: only the second rule is due
        assertThat(queries.get()).as("one query for both rules").isEqualTo(1);
        assertThat(catchUps.get()).as("one catch-up with ingest a minute, not one a round").isEqualTo(1);
        shared.evaluateDue(minute.plusSeconds(80)); // the next minute: measured afresh
        assertThat(queries.get()).isEqualTo(2);
        assertThat(catchUps.get()).isEqualTo(2);
    }

    @Test
    void anEventAcknowledgedButNotYetLoaded_isCountedByTheNextMinutesRules() {
        String app = app("alerts-catch-up");
        created(post("/api/alerts/rules", threshold(app, null, "error_count", "gt", 0), auth.admin()));
        // a new engine: its first minute's catch-up comes after the event, whatever other tests evaluated
        AlertEngine fresh = new AlertEngine(rules, incidentStore, new StoreSources(storage, null, writeQueue), notifier, storage, tx,
                properties, registry);
        Instant now = CLOCK.instant();
        // acknowledged (202) and not awaited: the loader may hold it for load-max-delay (3 s) before loading it
        TestHttp.Response r = http.post("/api/collect/batch", TestHttp.JSON.writeValueAsString(Map.of("events",
                events(app, "error", 1, now.minusSeconds(60), "1.0"))), "Content-Type", "application/json", "X-TraceFlow-Key",
                KEYS.get(app));
        assertThat(r.status()).as(r.toString()).isEqualTo(202);

        fresh.evaluateDue(now.plus(Duration.ofMinutes(2)));
        JsonNode incidents = incidents(app);
        assertThat(incidents).as("the rule counted the acknowledged event").hasSize(1);
        assertThat(incidents.get(0).path("value").asDouble()).isEqualTo(1.0);
    }

    @Test
    void whenTheCatchUpRunsOutOfTime_theRulesMeasureWhatIsLoaded_andTheMeterSaysSo() {
        String app = app("alerts-behind");
        String ruleId = created(post("/api/alerts/rules", threshold(app, null, "error_count", "gt", 0), auth.admin()))
                .path("id").asString();
        send(app, events(app, "error", 2, CLOCK.instant().minusSeconds(60), "1.0"));
        StoreSources behind = new StoreSources(storage, null, writeQueue) {
            @Override
            boolean catchUp() {
                return false;
            }
        };
        AlertEngine engine2 = new AlertEngine(rules, incidentStore, behind, notifier, storage, tx, properties, registry);
        double before = registry.counter("traceflow.alerts.catch-up.timeouts").count();

        engine2.evaluateDue(CLOCK.instant().plus(Duration.ofMinutes(2)));
        assertThat(registry.counter("traceflow.alerts.catch-up.timeouts").count()).isEqualTo(before + 1);
        assertThat(rule(ruleId).path("lastValue").asDouble()).isEqualTo(2.0);
        assertThat(incidents(app)).hasSize(1);
    }

    @Test
    void withTwoEvaluationThreads_theRulesOfARoundRunTwoAtATime_eachEvaluatedOnce() {
        String app = app("alerts-parallel");
        java.util.concurrent.CountDownLatch two = new java.util.concurrent.CountDownLatch(2);
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        java.util.concurrent.atomic.AtomicBoolean metAnother = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        StoreSources meeting = new StoreSources(storage, null, writeQueue) {
            @Override
            public List<dev.traceflow.core.storage.PerformanceQueries.VitalStats> webVitals(dev.traceflow.core.query.EventQuery q) {
                if (q.appId().equals(app)) {
                    reads.incrementAndGet();
                    threads.add(Thread.currentThread().getName());
                    two.countDown();
                    try {
                        // the first read waits for a second one: it comes only if two rules run at once
                        if (two.await(5, java.util.concurrent.TimeUnit.SECONDS)) {
                            metAnother.set(true);
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.webVitals(q);
            }
        };
        var a = properties.alerts();
        var parallel = new dev.traceflow.TraceFlowProperties.Alerts(a.delivery(), a.tick(), a.maxRulesPerApp(), a.maxChannelsPerApp(),
                a.eventQueue(), a.roundBatch(), 2);
        AlertEngine engine2 = new AlertEngine(rules, incidentStore, meeting, notifier, storage, tx, parallel, registry);
        List<String> ids = new ArrayList<>();
        for (int minutes = 10; minutes < 16; minutes++) {
            Map<String, Object> body = threshold(app, null, "lcp_p75", "gt", 4000);
            body.put("window", "PT" + minutes + "M");
            ids.add(created(post("/api/alerts/rules", body, auth.admin())).path("id").asString());
        }
        try {
            assertThat(engine2.evaluateDue(CLOCK.instant().plus(Duration.ofMinutes(2)))).isGreaterThanOrEqualTo(ids.size());
        } finally {
            engine2.close();
        }
        assertThat(metAnother).as("two rules were evaluated at the same time").isTrue();
        assertThat(threads).allMatch(t -> t.startsWith("alerts-eval-")).hasSize(2);
        assertThat(reads).as("one read per window: each rule evaluated once").hasValue(ids.size());
        for (String id : ids) {
            JsonNode r = rule(id);
            assertThat(r.path("state").asString()).as(r.toString()).isEqualTo("ok");
            assertThat(r.path("lastEvaluatedAt").isString()).as(r.toString()).isTrue();
        }
    }

    @Test
    void windowsSummedFromSharedMinuteCounts_equalTheStoresOwnAnswer_forEveryAdditiveMetric() {
        String app = app("alerts-minute-sums");
        Instant end = CLOCK.instant().truncatedTo(java.time.temporal.ChronoUnit.MINUTES);
        List<Map<String, Object>> batch = new ArrayList<>();
        // events spread over three days, some on minute edges, of every kind the additive metrics count
        for (int i = 0; i < 240; i++) {
            Instant at = end.minus(Duration.ofMinutes((long) i * i / 10)).minusMillis(i % 3 == 0 ? 0 : 1);
            String type = switch (i % 4) {
                case 0 -> "pageview";
                case 1 -> "error";
                case 2 -> i % 8 == 2 ? "purchase" : "event";
                default -> "pageview";
            };
            Map<String, Object> e = event(app, type, at, i % 3 == 0 ? "1.0" : "2.0");
            if (type.equals("event")) {
                e.put("name", "message_sent");
                e.put("properties", Map.of("chars", i));
            } else if (type.equals("purchase")) {
                e.put("properties", Map.of("revenue", 2.5 + i));
            }
            batch.add(e);
        }
        send(app, batch);

        StoreSources store = new StoreSources(storage, null, writeQueue);
        MinuteAnswers minute = new MinuteAnswers(end, store, () -> { }, () -> { });
        List<String> metrics = List.of("page_views", "error_count", "error_rate", "event_count:message_sent", "events", "conversions",
                "revenue");
        for (String name : metrics) {
            AlertMetric metric = AlertMetric.parse(name);
            for (Duration window : List.of(Duration.ofMinutes(5), Duration.ofMinutes(90), Duration.ofDays(2), Duration.ofDays(1),
                    Duration.ofDays(10))) {
                for (dev.traceflow.core.query.Filters filters : List.of(dev.traceflow.core.query.Filters.NONE,
                        new dev.traceflow.core.query.Filters("2.0", null, null, null, null, null, null))) {
                    var q = new dev.traceflow.core.query.EventQuery(app, end.minus(window), end, filters, null, java.time.ZoneOffset.UTC);
                    assertThat(MetricReader.measure(metric, q, minute)).as(name + " over " + window + " " + filters)
                            .isEqualTo(MetricReader.measure(metric, q, store));
                }
            }
        }
        assertThat(MetricReader.measure(AlertMetric.parse("page_views"),
                dev.traceflow.core.query.EventQuery.of(app, end.minus(Duration.ofDays(2)), end), minute).value())
                .as("the data is there: a test of sums over nothing would prove nothing").isGreaterThan(20.0);
    }

    // event-driven rules

    @Test
    void newErrorGroup_firesForEachNewGroupInScope_andResolvesWhenTheGroupIsResolved() throws Exception {
        String app = app("alerts-new-group");
        String channelId = channel(app);
        Map<String, Object> rule = Map.of("appId", app, "name", "new errors", "kind", "new_error_group", "channelIds", List.of(channelId));
        String ruleId = created(post("/api/alerts/rules", rule, auth.admin())).path("id").asString();
        Map<String, Object> scoped = Map.of("appId", app, "name", "new errors in 2.0", "kind", "new_error_group",
                "filters", Map.of("release", "2.0"), "channelIds", List.of());
        created(post("/api/alerts/rules", scoped, auth.admin()));

        send(app, events(app, "error", 2, CLOCK.instant().minusSeconds(5), "1.0"));
        JsonNode list = awaitIncidents(app, l -> l.size() > 0);
        awaitErrorGroupAlerts();
        list = incidents(app);
        assertThat(list).as("one incident for the unscoped rule; release 1.0 is outside the other's scope").hasSize(1);
        JsonNode incident = list.get(0);
        assertThat(incident.path("ruleId").asString()).isEqualTo(ruleId);
        assertThat(incident.path("state").asString()).isEqualTo("firing");
        assertThat(incident.path("title").asString()).contains("new error TypeError");
        assertThat(incident.path("deliveries")).hasSize(1);
        String groupId = incident.path("subject").asString();

        // more events of the same group: no new incident
        send(app, events(app, "error", 1, CLOCK.instant().minusSeconds(2), "1.0"));
        awaitErrorGroupAlerts();
        assertThat(incidents(app)).hasSize(1);

        TestHttp.Response patched = http.send("PATCH", "/api/errors/" + groupId, "{\"status\":\"resolved\"}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(patched.status()).as(patched.toString()).isEqualTo(200);
        JsonNode resolved = awaitIncidents(app, l -> l.get(0).path("state").asString().equals("resolved")).get(0);
        assertThat(resolved.path("state").asString()).isEqualTo("resolved");
        assertThat(resolved.path("deliveries")).hasSize(2);
    }

    /**
     * Spring may stop a context and start it again (the test context cache pauses contexts it is not
     * using; an operator may too): the alert machinery must come back, not stay shut down.
     */
    @Test
    void alertsStillFireAndDeliver_afterTheServerWasStoppedAndStartedAgain() throws Exception {
        errorGroupAlerts.stop();
        sender.stop();
        errorGroupAlerts.start();
        sender.start();
        String app = app("alerts-restart");
        String channelId = channel(app);
        created(post("/api/alerts/rules", Map.of("appId", app, "name", "new errors", "kind", "new_error_group",
                "channelIds", List.of(channelId)), auth.admin()));

        send(app, events(app, "error", 1, CLOCK.instant().minusSeconds(5), "1.0"));
        assertThat(awaitIncidents(app, l -> l.size() > 0)).hasSize(1);
        assertThat(webhooks(app, 1)).hasSize(1);
    }

    @Test
    void regression_firesWhenAResolvedGroupGetsANewEvent() throws Exception {
        String app = app("alerts-regression");
        created(post("/api/alerts/rules", Map.of("appId", app, "name", "regressions", "kind", "regression", "channelIds", List.of()),
                auth.admin()));
        send(app, events(app, "error", 1, CLOCK.instant().minusSeconds(60), "1.0"));
        awaitErrorGroupAlerts();
        assertThat(incidents(app)).as("a regression rule ignores new groups").isEmpty();
        JsonNode groups = ok(http.get("/api/errors?appId=" + app + "&fresh=true", TestAuth.bearer(auth.admin())));
        for (int i = 0; i < 200 && groups.path("items").isEmpty(); i++) { // the group is written just after the load
            Thread.sleep(50);
            groups = ok(http.get("/api/errors?appId=" + app + "&fresh=true", TestAuth.bearer(auth.admin())));
        }
        String groupId = groups.path("items").get(0).path("id").asString();
        http.send("PATCH", "/api/errors/" + groupId, "{\"status\":\"resolved\"}".getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());

        send(app, events(app, "error", 1, CLOCK.instant().minusSeconds(1), "1.1"));
        JsonNode list = awaitIncidents(app, l -> l.size() > 0);
        assertThat(list).hasSize(1);
        assertThat(list.get(0).path("subject").asString()).isEqualTo(groupId);
        assertThat(list.get(0).path("title").asString()).contains("regression of TypeError");
    }

    // silences and acknowledgements

    @Test
    void aSilencedRule_stillOpensIncidents_butItsDeliveriesAreHeldBack() {
        String app = app("alerts-silence");
        String channelId = channel(app);
        String ruleId = created(post("/api/alerts/rules", threshold(app, channelId, "error_count", "gt", 0), auth.admin()))
                .path("id").asString();
        Instant now = CLOCK.instant();
        JsonNode silence = created(post("/api/alerts/silences", Map.of("appId", app, "ruleId", ruleId,
                "endsAt", now.plus(Duration.ofHours(1)).toString(), "reason", "deploying"), auth.admin()));
        assertThat(ok(http.get("/api/alerts/silences?appId=" + app, TestAuth.bearer(auth.admin()))).path("items")).hasSize(1);
        send(app, events(app, "error", 1, now.minus(Duration.ofMinutes(3)), "1.0"));

        engine.evaluateDue(now.plus(Duration.ofMinutes(2)));
        JsonNode delivery = incidents(app).get(0).path("deliveries").get(0);
        assertThat(delivery.path("status").asString()).isEqualTo("silenced");
        assertThat(http.send("DELETE", "/api/alerts/silences/" + silence.path("id").asString(), null,
                "Authorization", "Bearer " + auth.admin()).status()).isEqualTo(204);
    }

    @Test
    void ack_recordsWhoTookTheIncident_editorsOnly() {
        String app = app("alerts-ack");
        created(post("/api/alerts/rules", threshold(app, null, "error_count", "gt", 0), auth.admin()));
        Instant now = CLOCK.instant();
        send(app, events(app, "error", 1, now.minus(Duration.ofMinutes(3)), "1.0"));
        engine.evaluateDue(now.plus(Duration.ofMinutes(2)));
        String id = incidents(app).get(0).path("id").asString();

        String viewer = TestAuth.uniqueName("viewer");
        String viewerToken = auth.newUserToken(viewer);
        auth.grant(app, viewer, "viewer");
        TestHttp.Response refused = http.post("/api/alerts/" + id + "/ack", "", "Authorization", "Bearer " + viewerToken);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(ok(http.get("/api/alerts/" + id, TestAuth.bearer(viewerToken))).path("ackedAt").isMissingNode()).isTrue();

        JsonNode acked = ok(http.post("/api/alerts/" + id + "/ack", "", "Authorization", "Bearer " + auth.admin()));
        assertThat(acked.path("ackedAt").isMissingNode()).isFalse();
        assertThat(acked.path("ackedBy").asString()).isNotEmpty();
    }

    // bad input

    @Test
    void badRules_areRefusedWithTheRightStatusAndNothingIsStored() {
        String app = app("alerts-bad");
        String channelId = channel(app);
        String otherApp = app("alerts-bad-other");
        String foreignChannel = channel(otherApp);
        record Case(String what, Map<String, Object> body, int status) {
        }
        List<Case> cases = new ArrayList<>();
        Map<String, Object> unknownKind = threshold(app, channelId, "error_count", "gt", 1);
        unknownKind.put("kind", "sometimes");
        cases.add(new Case("unknown kind", unknownKind, 422));
        cases.add(new Case("unknown metric", threshold(app, channelId, "errors_per_fortnight", "gt", 1), 422));
        Map<String, Object> shortWindow = threshold(app, channelId, "error_count", "gt", 1);
        shortWindow.put("window", "PT5M");
        shortWindow.put("interval", "PT10M");
        cases.add(new Case("window shorter than the interval", shortWindow, 422));
        cases.add(new Case("threshold not a number", threshold(app, channelId, "error_count", "gt", "lots"), 422));
        Map<String, Object> noThreshold = threshold(app, channelId, "error_count", "gt", 1);
        noThreshold.remove("threshold");
        cases.add(new Case("threshold missing", noThreshold, 422));
        cases.add(new Case("unknown comparison", threshold(app, channelId, "error_count", "around", 1), 422));
        Map<String, Object> badWindow = threshold(app, channelId, "error_count", "gt", 1);
        badWindow.put("window", "ten minutes");
        cases.add(new Case("window not a duration", badWindow, 422));
        Map<String, Object> badFilter = threshold(app, channelId, "error_count", "gt", 1);
        badFilter.put("filters", Map.of("planet", "mars"));
        cases.add(new Case("unknown filter", badFilter, 422));
        cases.add(new Case("channel of another app", threshold(app, foreignChannel, "error_count", "gt", 1), 404));
        Map<String, Object> metricOnEventRule = new LinkedHashMap<>(Map.of("appId", app, "name", "n", "kind", "new_error_group",
                "metric", "error_count", "channelIds", List.of()));
        cases.add(new Case("a field the kind does not use", metricOnEventRule, 422));
        cases.add(new Case("unknown app", threshold("no-such-app-" + UUID.randomUUID(), null, "error_count", "gt", 1), 404));

        for (Case c : cases) {
            TestHttp.Response r = post("/api/alerts/rules", c.body(), auth.admin());
            assertThat(r.status()).as(c.what() + ": " + r).isEqualTo(c.status());
            assertThat(r.json().path("code").asString()).as(c.what()).isNotEmpty();
            assertThat(r.json().path("message").asString()).as(c.what()).isNotEmpty();
        }
        TestHttp.Response malformed = http.post("/api/alerts/rules", "{\"appId\": ", "Content-Type", "application/json",
                "Authorization", "Bearer " + auth.admin());
        assertThat(malformed.status()).isEqualTo(400);
        assertThat(ok(http.get("/api/alerts/rules?appId=" + app, TestAuth.bearer(auth.admin()))).path("items")).isEmpty();
    }

    @Test
    void viewersRead_editorsWrite_strangersSeeNothing() {
        String app = app("alerts-roles");
        String viewer = TestAuth.uniqueName("viewer");
        String viewerToken = auth.newUserToken(viewer);
        auth.grant(app, viewer, "viewer");
        String stranger = auth.newUserToken(TestAuth.uniqueName("stranger"));
        String editor = TestAuth.uniqueName("editor");
        String editorToken = auth.newUserToken(editor);
        auth.grant(app, editor, "editor");

        assertThat(post("/api/alerts/rules", threshold(app, null, "error_count", "gt", 1), viewerToken).status()).isEqualTo(403);
        assertThat(post("/api/alerts/rules", threshold(app, null, "error_count", "gt", 1), stranger).status()).isEqualTo(404);
        String ruleId = created(post("/api/alerts/rules", threshold(app, null, "error_count", "gt", 1), editorToken)).path("id")
                .asString();
        assertThat(ok(http.get("/api/alerts/rules?appId=" + app, TestAuth.bearer(viewerToken))).path("items")).hasSize(1);
        assertThat(http.get("/api/alerts/rules/" + ruleId, TestAuth.bearer(stranger)).status()).isEqualTo(404);
        assertThat(http.send("DELETE", "/api/alerts/rules/" + ruleId, null, "Authorization", "Bearer " + viewerToken).status())
                .isEqualTo(403);

        Map<String, Object> changed = threshold(app, null, "error_count", "gt", 7);
        JsonNode replaced = ok(put("/api/alerts/rules/" + ruleId, changed, editorToken));
        assertThat(replaced.path("threshold").asDouble()).isEqualTo(7.0);
        assertThat(http.send("DELETE", "/api/alerts/rules/" + ruleId, null, "Authorization", "Bearer " + editorToken).status())
                .isEqualTo(204);
        assertThat(http.get("/api/alerts/rules/" + ruleId, TestAuth.bearer(editorToken)).status()).isEqualTo(404);
    }

    @Test
    void channels_neverAnswerTheSecretAfterCreation_andHideTheUrlFromViewers() {
        String app = app("alerts-channels");
        JsonNode generated = created(post("/api/alerts/channels", Map.of("appId", app, "type", "webhook",
                "url", "http://127.0.0.1:9/hook?token=abc"), auth.admin()));
        assertThat(generated.path("secret").asString()).startsWith("tfwh_").hasSizeGreaterThan(30);
        String id = generated.path("id").asString();
        JsonNode read = ok(http.get("/api/alerts/channels/" + id, TestAuth.bearer(auth.admin())));
        assertThat(read.has("secret")).isFalse();
        assertThat(read.path("hasSecret").asBoolean()).isTrue();
        assertThat(read.path("url").asString()).isEqualTo("http://127.0.0.1:9/hook?token=abc");
        String viewer = TestAuth.uniqueName("viewer");
        String viewerToken = auth.newUserToken(viewer);
        auth.grant(app, viewer, "viewer");
        JsonNode seen = ok(http.get("/api/alerts/channels?appId=" + app, TestAuth.bearer(viewerToken))).path("items").get(0);
        assertThat(seen.path("url").asString()).isEqualTo("http://127.0.0.1:9/...");

        assertThat(post("/api/alerts/channels", Map.of("appId", app, "type", "webhook", "url", "http://127.0.0.1:9/x",
                "secret", "short"), auth.admin()).status()).isEqualTo(422);
        assertThat(post("/api/alerts/channels", Map.of("appId", app, "type", "pigeon"), auth.admin()).status()).isEqualTo(422);
        assertThat(post("/api/alerts/channels", Map.of("appId", app, "type", "realtime"), auth.admin()).status())
                .as("a realtime channel needs its topic").isEqualTo(422);
        assertThat(post("/api/alerts/channels", Map.of("appId", app, "type", "realtime", "topic", "alerts:*"), auth.admin()).status())
                .as("one topic, not a pattern").isEqualTo(422);
        assertThat(post("/api/alerts/channels", Map.of("appId", app, "type", "webhook", "url", "ftp://example.com/x"), auth.admin())
                .status()).isEqualTo(422);
        for (String internal : List.of("http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data", "http://[::1]/x",
                "http://2130706434/x")) {
            TestHttp.Response refused = post("/api/alerts/channels", Map.of("appId", app, "type", "webhook", "url", internal),
                    auth.admin());
            assertThat(refused.status()).as(internal + " " + refused).isEqualTo(422);
            assertThat(refused.json().path("message").asString()).contains("refused");
        }
        assertThat(post("/api/alerts/channels", Map.of("appId", app, "type", "email", "to", List.of("ops@example.com")),
                auth.admin()).status()).as("no SMTP settings here").isEqualTo(422);
        assertThat(post("/api/alerts/channels", Map.of("appId", app, "type", "webhook", "url", "http://127.0.0.1:9/x"), viewerToken)
                .status()).isEqualTo(403);
    }
}
