package dev.traceflow.realtime;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.time.Duration;
import java.nio.charset.StandardCharsets;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The realtime gateway in the running server: /ws handshakes and messages with the JDK's WebSocket
 * client, realtime keys and topic rules, and HTTP publish. (Real browser-side clients under Node:
 * {@code RealtimeNodeIT}.)
 */
class RealtimeServerTest extends ServerTest {

    @Autowired
    org.springframework.boot.web.server.context.WebServerApplicationContext webServer;

    private String app() {
        String appId = "rt-" + Long.toHexString(System.nanoTime());
        auth.createApp(appId);
        return appId;
    }

    private String key(String appId, String kind) {
        TestHttp.Response r = http.post("/api/apps/" + appId + "/realtime/keys", "{\"kind\":\"" + kind + "\"}",
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().path("key").asString();
    }

    private TestHttp.Response publish(String serverKey, String body) {
        return http.post("/api/realtime/publish", body, "Content-Type", "application/json", "Authorization", "Bearer " + serverKey);
    }

    private static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    void aUserSubscribes_aBackendPublishes_andTheEventArrivesWithItsSeq() {
        String appId = app();
        String serverKey = key(appId, "server");
        WsClient client = WsClient.connect(port, "?app=" + appId + "&token=" + q(auth.admin()));

        client.send("{\"type\":\"subscribe\",\"topic\":\"orders:42\"}");
        JsonNode subscribed = client.next("subscribed");
        TestHttp.Response published = publish(serverKey, "{\"topic\":\"orders:42\",\"id\":\"o-1\",\"payload\":{\"total\":12.5}}");
        JsonNode event = client.next("event");
        client.send("{\"type\":\"ack\",\"topic\":\"orders:42\",\"seq\":1}");

        assertThat(subscribed.path("recovered").asBoolean()).isFalse();
        assertThat(published.status()).as(published.toString()).isEqualTo(200);
        assertThat(published.json().path("seq").asLong()).isEqualTo(1);
        assertThat(published.json().path("epoch").asString()).isEqualTo(subscribed.path("epoch").asString());
        assertThat(published.json().path("duplicate").asBoolean()).isFalse();
        assertThat(event.path("payload").path("total").asDouble()).isEqualTo(12.5);
        assertThat(event.path("id").asString()).isEqualTo("o-1");
        assertThat(event.path("seq").asLong()).isEqualTo(1);
        TestHttp.Response again = publish(serverKey, "{\"topic\":\"orders:42\",\"id\":\"o-1\",\"payload\":{\"total\":12.5}}");
        assertThat(again.json().path("duplicate").asBoolean()).isTrue();
        assertThat(again.json().path("seq").asLong()).isEqualTo(1);
        client.close();
    }

    /** Text frames are encoded by the channel, not by Tomcat: letters outside ASCII and beyond the BMP arrive as sent. */
    @Test
    void textOutsideAscii_arrivesAsItWasPublished() {
        String appId = app();
        String serverKey = key(appId, "server");
        WsClient client = WsClient.connect(port, "?app=" + appId + "&token=" + q(auth.admin()));
        client.send("{\"type\":\"subscribe\",\"topic\":\"greetings\"}");
        client.next("subscribed");
        String text = "Grüße, 東京, \uD83D\uDE80 and a \\ \" quote";

        TestHttp.Response published = publish(serverKey, "{\"topic\":\"greetings\",\"id\":\"g-1\",\"payload\":{\"text\":"
                + JsonMapper.shared().writeValueAsString(text) + "}}");

        assertThat(published.status()).as(published.toString()).isEqualTo(200);
        assertThat(client.next("event").path("payload").path("text").asString()).isEqualTo(text);
        client.close();
    }

    @Autowired
    RealtimePublisher publisher;

    @Test
    void otherFeatures_publishThroughTheFacade_intoTheSameSequence() {
        String appId = app();
        String serverKey = key(appId, "server");
        WsClient client = WsClient.connect(port, "?app=" + appId + "&token=" + q(auth.admin()));
        client.send("{\"type\":\"subscribe\",\"topic\":\"alerts\"}");
        client.next("subscribed");

        long first = publisher.publish(appId, "alerts", "{\"rule\":\"errors\"}", "incident-1");
        publish(serverKey, "{\"topic\":\"alerts\",\"id\":\"from-http\",\"payload\":2}");

        assertThat(first).isEqualTo(1);
        assertThat(client.next("event").path("payload").path("rule").asString()).isEqualTo("errors");
        assertThat(client.next("event").path("seq").asLong()).isEqualTo(2);
        assertThat(publisher.publish(appId, "alerts", "{}", "incident-1")).as("a repeated id").isEqualTo(1);
        assertThatThrownBy(() -> publisher.publish(appId, "no spaces", "{}", "x")).isInstanceOf(IllegalArgumentException.class);
        client.close();
    }

    @Test
    void theTokenMayComeAsABearerHeader_andAnEditorPublishesOverTheSocket() {
        String appId = app();
        String name = TestAuth.uniqueName("rt-editor");
        String token = auth.newUserToken(name);
        auth.grant(appId, name, "editor");
        WsClient editor = WsClient.connect(port, "?app=" + appId, "Authorization", "Bearer " + token);

        editor.send("{\"type\":\"publish\",\"topic\":\"booking:7\",\"id\":\"b-1\",\"payload\":null}");

        JsonNode ack = editor.next("ack");
        assertThat(ack.path("id").asString()).isEqualTo("b-1");
        assertThat(ack.path("seq").asLong()).isEqualTo(1);
        editor.close();
    }

    @Test
    void aViewer_mayReadButNotPublish_underTheDefaultRules() {
        String appId = app();
        String name = TestAuth.uniqueName("rt-viewer");
        String token = auth.newUserToken(name);
        auth.grant(appId, name, "viewer");
        WsClient viewer = WsClient.connect(port, "?app=" + appId + "&token=" + q(token));

        viewer.send("{\"type\":\"publish\",\"topic\":\"orders:1\",\"id\":\"x\",\"payload\":1}");
        JsonNode refused = viewer.next("error");
        viewer.send("{\"type\":\"subscribe\",\"topic\":\"orders:1\"}");

        assertThat(refused.path("code").asString()).isEqualTo("FORBIDDEN_TOPIC");
        assertThat(refused.path("id").asString()).isEqualTo("x");
        assertThat(viewer.next("subscribed").path("topic").asString()).isEqualTo("orders:1");
        viewer.close();
    }

    @Test
    void handshakes_areRefusedWithApiErrors() {
        String appId = app();
        String browserKey = key(appId, "browser");
        String stranger = auth.newUserToken(TestAuth.uniqueName("rt-stranger"));

        assertThat(WsClient.refused(port, "?app=" + appId).status()).isEqualTo(401);
        assertThat(WsClient.refused(port, "?app=" + appId + "&token=not-a-token").status()).isEqualTo(401);
        assertThat(WsClient.refused(port, "?app=demo&token=" + DEMO_KEY).status()).as("the ingest key").isEqualTo(401);
        assertThat(WsClient.refused(port, "?token=" + q(auth.admin())).status()).as("no app").isEqualTo(400);
        assertThat(WsClient.refused(port, "?app=" + appId + "&token=" + q(stranger)).status()).as("no role").isEqualTo(404);
        assertThat(WsClient.refused(port, "?app=no-such-app&token=" + q(auth.admin())).status()).isEqualTo(404);
        assertThat(WsClient.refused(port, "?app=demo&token=" + browserKey).status()).as("another app's key").isEqualTo(403);
        // the app was created allowing every origin; this one allows one
        http.send("PATCH", "/api/apps/" + appId, "{\"allowedOrigins\":[\"https://shop.example\"]}".getBytes(),
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(WsClient.refused(port, "?token=" + browserKey, "Origin", "https://evil.example").status()).isEqualTo(403);
        WsClient allowed = WsClient.connect(port, "?token=" + browserKey, "Origin", "https://shop.example");
        WsClient dashboard = WsClient.connect(port, "?app=" + appId + "&token=" + q(auth.admin()), "Origin", DASHBOARD_ORIGIN);
        // the server's own pages (its web dashboard's live page) with a user's token, whatever the app allows
        WsClient ownPage = WsClient.connect(port, "?app=" + appId + "&token=" + q(auth.admin()), "Origin", "http://127.0.0.1:" + port);
        assertThat(WsClient.refused(port, "?app=" + appId + "&token=" + q(auth.admin()), "Origin", "http://127.0.0.1:" + (port + 1))
                .status()).as("another port is another origin").isEqualTo(403);
        assertThat(WsClient.refused(port, "?token=" + browserKey, "Origin", "http://127.0.0.1:" + port).status())
                .as("a browser key keeps to allowedOrigins").isEqualTo(403);
        allowed.close();
        dashboard.close();
        ownPage.close();
    }

    @Test
    void anonymousBrowsers_getOnlyWhatTheRulesGrantAnonymous() {
        String appId = app();
        String browserKey = key(appId, "browser");
        String serverKey = key(appId, "server");
        WsClient page = WsClient.connect(port, "?token=" + browserKey);

        page.send("{\"type\":\"subscribe\",\"topic\":\"notice:global\"}");
        assertThat(page.next("error").path("code").asString()).as("the default rule: members only").isEqualTo("FORBIDDEN_TOPIC");

        TestHttp.Response put = http.send("PUT", "/api/apps/" + appId + "/realtime/rules",
                ("{\"rules\":[{\"pattern\":\"notice:*\",\"subscribe\":\"anonymous\",\"publish\":\"server\"},"
                        + "{\"pattern\":\"cursor:*\",\"subscribe\":\"anonymous\",\"publish\":\"anonymous\",\"volatile\":true},"
                        + "{\"pattern\":\"*\",\"subscribe\":\"viewer\",\"publish\":\"editor\"}]}").getBytes(),
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        assertThat(put.json().path("default").asBoolean()).isFalse();
        page.send("{\"type\":\"subscribe\",\"topic\":\"notice:global\"}");
        assertThat(page.next("subscribed").path("topic").asString()).isEqualTo("notice:global");
        page.send("{\"type\":\"publish\",\"topic\":\"notice:global\",\"id\":\"n\",\"payload\":1}");
        assertThat(page.next("error").path("code").asString()).isEqualTo("FORBIDDEN_TOPIC");
        page.send("{\"type\":\"subscribe\",\"topic\":\"orders:1\"}");
        assertThat(page.next("error").path("topic").asString()).isEqualTo("orders:1");
        assertThat(publish(serverKey, "{\"topic\":\"notice:global\",\"id\":\"n1\",\"payload\":\"hello\"}").status()).isEqualTo(200);
        assertThat(page.next("event").path("payload").asString()).isEqualTo("hello");
        page.close();
    }

    @Test
    void publish_takesOnlyAServerKey_andValidatesItsBody() {
        String appId = app();
        String serverKey = key(appId, "server");
        String browserKey = key(appId, "browser");
        String body = "{\"topic\":\"t\",\"id\":\"1\",\"payload\":1}";

        assertThat(http.post("/api/realtime/publish", body, "Content-Type", "application/json").status()).isEqualTo(401);
        assertThat(publish(DEMO_KEY, body).status()).as("the public ingest key").isEqualTo(401);
        assertThat(publish(browserKey, body).status()).as("a browser key").isEqualTo(401);
        assertThat(publish(auth.admin(), body).status()).as("a user's token").isEqualTo(401);
        assertThat(publish(serverKey, "{not json").status()).isEqualTo(400);
        assertThat(publish(serverKey, "{\"topic\":\"t\",\"id\":\"1\",\"payload\":1,\"extra\":2}").status()).isEqualTo(400);
        assertThat(publish(serverKey, "{\"topic\":\"t t\",\"id\":\"1\",\"payload\":1}").status()).isEqualTo(422);
        assertThat(publish(serverKey, "{\"topic\":\"t\",\"payload\":1}").status()).isEqualTo(422);
        assertThat(publish(serverKey, "{\"topic\":\"t\",\"id\":\"1\"}").status()).isEqualTo(422);
        TestHttp.Response big = publish(serverKey, "{\"topic\":\"t\",\"id\":\"1\",\"payload\":\"" + "x".repeat(70_000) + "\"}");
        assertThat(big.status()).isEqualTo(413);
        assertThat(big.json().path("code").asString()).isEqualTo("MESSAGE_TOO_LARGE");
        assertThat(publish(serverKey, body).status()).isEqualTo(200);
    }

    @Test
    void realtimeKeys_areShownOnce_listedWithoutTheKey_revocable_andAudited() {
        String appId = app();
        String serverKey = key(appId, "server");
        String admin = auth.admin();

        TestHttp.Response list = http.get("/api/apps/" + appId + "/realtime/keys", bearer(admin));
        assertThat(list.body()).doesNotContain(serverKey);
        String keyId = list.json().path("items").get(0).path("id").asString();
        assertThat(list.json().path("items").get(0).path("kind").asString()).isEqualTo("server");
        assertThat(http.send("DELETE", "/api/apps/" + appId + "/realtime/keys/" + keyId, null, bearer(admin)).status()).isEqualTo(204);
        assertThat(publish(serverKey, "{\"topic\":\"t\",\"id\":\"1\",\"payload\":1}").status()).as("revoked").isEqualTo(401);
        assertThat(http.send("DELETE", "/api/apps/" + appId + "/realtime/keys/" + keyId, null, bearer(admin)).status()).isEqualTo(404);

        TestHttp.Response audits = http.get("/audits?appId=" + appId + "&resourceType=realtime_key", bearer(admin));
        assertThat(audits.json().path("items").findValuesAsString("action")).contains("realtime_key.create", "realtime_key.revoke");
        assertThat(audits.body()).doesNotContain(serverKey);
        assertThat(http.post("/api/apps/" + appId + "/realtime/keys", "{\"kind\":\"ingest\"}", "Content-Type", "application/json",
                "Authorization", "Bearer " + admin).status()).isEqualTo(422);
    }

    @Test
    void aUsersConnectSubscribeUnsubscribeAndDroppedConnection_areAudited_withTheirIp() {
        String appId = app();
        WsClient client = WsClient.connect(port, "?app=" + appId + "&token=" + q(auth.admin()));
        client.send("{\"type\":\"subscribe\",\"topic\":\"orders:7\"}");
        client.next("subscribed");
        client.send("{\"type\":\"unsubscribe\",\"topic\":\"orders:7\"}");
        client.send("{\"type\":\"ping\"}");
        client.next("pong");
        client.close(); // aborted, no close frame: as when the network drops

        // the rows are written every few seconds, off the connection's threads
        await().atMost(Duration.ofSeconds(30)).until(() -> http.get("/audits?appId=" + appId, bearer(auth.admin())).json()
                .path("items").findValuesAsString("action").contains("realtime.disconnect"));
        JsonNode items = http.get("/audits?appId=" + appId, bearer(auth.admin())).json().path("items");
        assertThat(items.findValuesAsString("action")).contains("realtime.connect", "realtime.subscribe", "realtime.unsubscribe",
                "realtime.disconnect");
        for (JsonNode row : items) {
            assertThat(row.path("actorName").asString()).as(row.toString()).isNotEmpty();
            assertThat(row.path("clientIp").asString()).as(row.toString()).isEqualTo("127.0.0.1");
            if (row.path("action").asString().equals("realtime.subscribe")) {
                assertThat(row.path("resourceId").asString()).isEqualTo("orders:7");
            }
            if (row.path("action").asString().equals("realtime.disconnect")) {
                assertThat(row.path("details").path("how").asString()).isEqualTo("dropped");
            }
        }
        assertThat(items.toString()).doesNotContain(auth.admin());
    }

    @Test
    void anAppReceivingEvents_getsMetricsUpdatedOnItsMetricsTopic_whichOnlyTheServerPublishesOn() {
        String appId = app();
        String ingestKey = auth.createKey(appId);
        String serverKey = key(appId, "server");
        WsClient client = WsClient.connect(port, "?app=" + appId + "&token=" + q(auth.admin()));
        client.send("{\"type\":\"subscribe\",\"topic\":\"traceflow:metrics\"}");
        client.next("subscribed");

        List<Map<String, Object>> events = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            events.add(Map.of("appId", appId, "type", "pageview", "timestamp", System.currentTimeMillis(), "eventId",
                    UUID.randomUUID().toString(), "url", "https://shop.test/p" + (i % 2) + "?q=1", "sessionId", "s-1"));
        }
        events.add(Map.of("appId", appId, "type", "purchase", "timestamp", System.currentTimeMillis(), "eventId",
                UUID.randomUUID().toString(), "sessionId", "s-1", "properties", Map.of("revenue", 12.5, "conversionType", "order")));
        TestHttp.Response sent = http.post("/api/collect/batch", TestHttp.JSON.writeValueAsString(Map.of("events", events)),
                "Content-Type", "application/json", "X-TraceFlow-Key", ingestKey);
        assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
        Map<String, Double> totals = new HashMap<>(); // metricType/dimensionValue -> summed over the rounds
        while (totals.getOrDefault("events/", 0.0) < 4) { // one round, or two if the load straddled a round's end
            JsonNode event = client.next("event");
            assertThat(event.path("topic").asString()).isEqualTo("traceflow:metrics");
            assertThat(event.path("payload").path("type").asString()).isEqualTo("metrics_updated");
            for (JsonNode m : event.path("payload").path("metrics")) {
                String dimensionValue = m.path("dimension").isNull() ? "" : m.path("dimensionValue").asString();
                totals.merge(m.path("metricType").asString() + "/" + dimensionValue, m.path("value").asDouble(), Double::sum);
            }
            client.send("{\"type\":\"ack\",\"topic\":\"traceflow:metrics\",\"seq\":" + event.path("seq").asLong() + "}");
        }
        assertThat(totals).containsEntry("page_views/", 3.0).containsEntry("page_views//p0", 2.0)
                .containsEntry("page_views//p1", 1.0).containsEntry("conversions/", 1.0)
                .containsEntry("conversions/order", 1.0).containsEntry("revenue/", 12.5)
                .containsEntry("sessions/", 1.0).containsEntry("engaged_sessions/", 1.0); // s-1: three page views and a purchase

        client.send("{\"type\":\"publish\",\"topic\":\"traceflow:metrics\",\"id\":\"fake\",\"payload\":{}}");
        assertThat(client.next("error").path("code").asString()).isEqualTo("FORBIDDEN_TOPIC");
        TestHttp.Response http403 = publish(serverKey, "{\"topic\":\"traceflow:metrics\",\"id\":\"fake\",\"payload\":{}}");
        assertThat(http403.status()).as(http403.toString()).isEqualTo(403);
        assertThat(http403.json().path("code").asString()).isEqualTo("FORBIDDEN_TOPIC");
        client.close();
    }

    @Test
    void eventsIngestAccepts_arriveOnTheLiveEventTopic_once_asSummariesWithoutPersonalData() {
        String appId = app();
        String ingestKey = auth.createKey(appId);
        WsClient client = WsClient.connect(port, "?app=" + appId + "&token=" + q(auth.admin()));
        client.send("{\"type\":\"subscribe\",\"topic\":\"traceflow:events\"}");
        client.next("subscribed");

        String errorId = UUID.randomUUID().toString();
        String body = TestHttp.JSON.writeValueAsString(Map.of("events", List.of(
                Map.of("appId", appId, "type", "pageview", "timestamp", System.currentTimeMillis(), "eventId",
                        UUID.randomUUID().toString(), "url", "https://shop.test/cart?coupon=SECRET", "sessionId", "s-live",
                        "userId", "alice@example.com"),
                Map.of("appId", appId, "type", "error", "timestamp", System.currentTimeMillis(), "eventId", errorId,
                        "message", "x is undefined", "errorType", "TypeError", "sessionId", "s-live"))));
        for (int i = 0; i < 2; i++) { // the second time: a client's retry of the same events
            TestHttp.Response sent = http.post("/api/collect/batch", body, "Content-Type", "application/json", "X-TraceFlow-Key", ingestKey);
            assertThat(sent.status()).as(sent.toString()).isEqualTo(202);
        }

        JsonNode pageview = client.next("event");
        assertThat(pageview.path("topic").asString()).isEqualTo("traceflow:events");
        assertThat(pageview.path("payload").path("eventType").asString()).isEqualTo("pageview");
        assertThat(pageview.path("payload").path("path").asString()).isEqualTo("/cart");
        assertThat(pageview.path("payload").path("sessionId").asString()).isEqualTo("s-live");
        assertThat(pageview.toString()).doesNotContain("alice").doesNotContain("SECRET");
        JsonNode error = client.next("event");
        assertThat(error.path("seq").asLong()).isEqualTo(pageview.path("seq").asLong() + 1);
        assertThat(error.path("payload").path("eventType").asString()).isEqualTo("error");
        assertThat(error.path("payload").path("eventId").asString()).isEqualTo(errorId);
        assertThat(error.path("payload").path("detail").path("errorType").asString()).isEqualTo("TypeError");
        assertThat(error.path("payload").path("detail").path("message").asString()).isEqualTo("x is undefined");
        assertThat(error.path("payload").path("detail").path("fingerprint").asString()).isNotEmpty();
        // the retry's events carry the same eventIds: not sequenced again, so the next event is the next one sent
        TestHttp.Response later = http.post("/api/collect/batch", TestHttp.JSON.writeValueAsString(Map.of("events", List.of(
                        Map.of("appId", appId, "type", "click", "timestamp", System.currentTimeMillis(), "eventId", "click-1",
                                "sessionId", "s-live", "x", 10, "y", 20, "viewportWidth", 800, "viewportHeight", 600, "selector", "#buy")))),
                "Content-Type", "application/json", "X-TraceFlow-Key", ingestKey);
        assertThat(later.status()).as(later.toString()).isEqualTo(202);
        JsonNode click = client.next("event");
        assertThat(click.path("payload").path("eventType").asString()).isEqualTo("click");
        assertThat(click.path("seq").asLong()).isEqualTo(error.path("seq").asLong() + 1);

        client.send("{\"type\":\"publish\",\"topic\":\"traceflow:events\",\"id\":\"fake\",\"payload\":{}}");
        assertThat(client.next("error").path("code").asString()).isEqualTo("FORBIDDEN_TOPIC");
        client.close();
    }

    @Test
    void socketIoServesEngineIo4_overPollingAndWebSocket_andRefusesOlderClientsWithAnApiError() {
        TestHttp.Response polling = http.get("/socket.io/?EIO=4&transport=polling");
        TestHttp.Response v3 = http.get("/socket.io/?EIO=3&transport=polling");

        assertThat(polling.status()).as(polling.toString()).isEqualTo(200);
        assertThat(polling.body()).startsWith("0{\"sid\":");
        assertThat(v3.status()).as("Engine.IO 3 (Socket.IO 2) clients").isEqualTo(400);
        assertThat(v3.json().path("code").asString()).isEqualTo("TRANSPORT_UNSUPPORTED");
        assertThat(http.get("/socket.io/?EIO=3&transport=websocket").status()).isEqualTo(400);
    }

    @Test
    void onlyOwners_manageRealtimeKeysAndRules() {
        String appId = app();
        String name = TestAuth.uniqueName("rt-edit");
        String editor = auth.newUserToken(name);
        auth.grant(appId, name, "editor");

        assertThat(http.post("/api/apps/" + appId + "/realtime/keys", "{\"kind\":\"server\"}", "Content-Type", "application/json",
                "Authorization", "Bearer " + editor).status()).isEqualTo(403);
        assertThat(http.send("PUT", "/api/apps/" + appId + "/realtime/rules", "{\"rules\":[]}".getBytes(),
                "Content-Type", "application/json", "Authorization", "Bearer " + editor).status()).isEqualTo(403);
        TestHttp.Response rules = http.get("/api/apps/" + appId + "/realtime/rules", bearer(editor));
        assertThat(rules.status()).isEqualTo(200);
        assertThat(rules.json().path("default").asBoolean()).isTrue();
        assertThat(rules.json().path("rules").get(0).path("pattern").asString()).isEqualTo("*");
    }

    @Test
    void badRules_areRefusedWhole() {
        String appId = app();
        TestHttp.Response r = http.send("PUT", "/api/apps/" + appId + "/realtime/rules",
                "{\"rules\":[{\"pattern\":\"ok:*\",\"subscribe\":\"viewer\",\"publish\":\"editor\"},{\"pattern\":\"bad pattern\",\"subscribe\":\"viewer\",\"publish\":\"editor\"}]}".getBytes(),
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());

        assertThat(r.status()).isEqualTo(422);
        assertThat(r.json().path("message").asString()).contains("rules[1].pattern");
        assertThat(http.get("/api/apps/" + appId + "/realtime/rules", bearer(auth.admin())).json().path("default").asBoolean()).isTrue();
    }

    @Test
    void aDisabledUsersConnection_isClosedWithinSeconds_asUnauthorized() {
        String appId = app();
        String name = TestAuth.uniqueName("rt-disabled");
        String userId = auth.createUser(name, "password-" + name, false);
        auth.grant(appId, name, "viewer");
        WsClient client = WsClient.connect(port, "?app=" + appId + "&token=" + q(auth.login(name, "password-" + name)));
        client.send("{\"type\":\"ping\"}");
        client.next("pong");

        http.send("PATCH", "/api/users/" + userId, "{\"enabled\":false}".getBytes(), "Content-Type", "application/json",
                "Authorization", "Bearer " + auth.admin());

        assertThat(client.awaitClose()).isEqualTo(4001);
    }

    @Test
    void aUserRemovedFromTheApp_isClosedWithinSeconds_asForbidden_andAViewerDemotedFromEditorKeepsReading() {
        String appId = app();
        String gone = TestAuth.uniqueName("rt-gone");
        String kept = TestAuth.uniqueName("rt-kept");
        String goneToken = auth.newUserToken(gone);
        String keptToken = auth.newUserToken(kept);
        auth.grant(appId, gone, "viewer");
        auth.grant(appId, kept, "editor");
        WsClient goneClient = WsClient.connect(port, "?app=" + appId + "&token=" + q(goneToken));
        WsClient keptClient = WsClient.connect(port, "?app=" + appId + "&token=" + q(keptToken));
        keptClient.send("{\"type\":\"subscribe\",\"topic\":\"orders:1\"}");
        keptClient.next("subscribed");

        http.send("DELETE", "/api/apps/" + appId + "/members/" + gone, null, bearer(auth.admin()));
        auth.grant(appId, kept, "viewer");

        assertThat(goneClient.awaitClose()).isEqualTo(4003);
        // within seconds the demotion counts (until the recheck has run, a publish may still pass): ask every half second
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            keptClient.send("{\"type\":\"publish\",\"topic\":\"orders:1\",\"id\":\"late-" + System.nanoTime() + "\",\"payload\":1}");
            JsonNode answer = keptClient.next(m -> !m.path("type").asString().equals("event"));
            return answer.path("code").asString().equals("FORBIDDEN_TOPIC");
        });
        keptClient.send("{\"type\":\"ping\"}");
        keptClient.next("pong");
        keptClient.close();
    }

    @Test
    void aFreshTokenSentInBand_isAccepted_andAnotherUsersIsRefused() {
        String appId = app();
        String name = TestAuth.uniqueName("rt-renew");
        auth.createUser(name, "password-" + name, false);
        auth.grant(appId, name, "viewer");
        WsClient client = WsClient.connect(port, "?app=" + appId + "&token=" + q(auth.login(name, "password-" + name)));

        client.send("{\"type\":\"auth\",\"token\":\"" + auth.login(name, "password-" + name) + "\"}");
        JsonNode renewed = client.next(m -> !m.path("type").asString().equals("pong"));
        client.send("{\"type\":\"auth\",\"token\":\"" + auth.admin() + "\"}");
        JsonNode refused = client.next("error");

        assertThat(renewed.path("type").asString()).as(renewed.toString()).isEqualTo("authenticated");
        assertThat(renewed.path("expiresAt").asLong()).isGreaterThan(CLOCK.millis());
        assertThat(refused.path("code").asString()).isEqualTo("UNAUTHORIZED");
        client.send("{\"type\":\"ping\"}");
        client.next("pong");
        client.close();
    }

    @Test
    void tomcatsBuffersOfEveryWebSocket_areOneAndAHalfKibibytes_notItsEight() throws Exception {
        WsClient client = WsClient.connect(port, "?app=" + app() + "&token=" + q(auth.admin()));
        client.send("{\"type\":\"ping\"}");
        client.next("pong");
        client.close();

        // read once by Tomcat when its first WebSocket class loads: this proves the server set it in time
        java.lang.reflect.Field size = Class.forName("org.apache.tomcat.websocket.Constants").getDeclaredField("DEFAULT_BUFFER_SIZE");
        size.setAccessible(true);
        assertThat(size.getInt(null)).isEqualTo(1536);
    }

    @Test
    void theWebServerHoldsTenThousandRealtimeClientsAndMore_notTomcatsDefault8192() {
        var tomcat = (org.springframework.boot.tomcat.TomcatWebServer) webServer.getWebServer();
        var protocol = (org.apache.coyote.AbstractProtocol<?>) tomcat.getTomcat().getConnector().getProtocolHandler();
        assertThat(protocol.getMaxConnections()).isEqualTo(20_000);
    }

    @Test
    void messagesLongerThanTomcatsTextBuffer_arriveWhole_overTheLimitAreRefused_andOverTwiceTheLimitCloseWith1009() {
        // Tomcat hands over 512 characters at a time (WebSocketTransport.TEXT_BUFFER_CHARS); the limit is 64 KiB
        String appId = app();
        WsClient subscriber = WsClient.connect(port, "?app=" + appId + "&token=" + q(auth.admin()));
        subscriber.send("{\"type\":\"subscribe\",\"topic\":\"big\"}");
        subscriber.next("subscribed");
        WsClient publisher = WsClient.connect(port, "?app=" + appId + "&token=" + q(auth.admin()));
        String payload = "y".repeat(40_000) + "z";

        publisher.send("{\"type\":\"publish\",\"topic\":\"big\",\"id\":\"b-1\",\"payload\":\"" + payload + "\"}");
        assertThat(publisher.next("ack").path("seq").asLong()).isEqualTo(1);
        assertThat(subscriber.next("event").path("payload").asString()).isEqualTo(payload);

        publisher.send("{\"type\":\"publish\",\"topic\":\"big\",\"id\":\"b-2\",\"payload\":\"" + "y".repeat(100_000) + "\"}");
        assertThat(publisher.next("error").path("code").asString()).isEqualTo("MESSAGE_TOO_LARGE");
        publisher.send("{\"type\":\"ping\"}");
        publisher.next("pong");

        publisher.send("{\"type\":\"publish\",\"topic\":\"big\",\"id\":\"b-3\",\"payload\":\"" + "y".repeat(140_000) + "\"}");
        assertThat(publisher.awaitClose()).isEqualTo(1009);
        subscriber.send("{\"type\":\"ping\"}");
        subscriber.next("pong");
        subscriber.close();
    }

    @Test
    void theUpgrade_declinesPermessageDeflate_onBothTransports() throws Exception {
        // npm's ws (under socket.io-client in Node) offers it by default; Tomcat would deflate every small message
        String browserKey = key(app(), "browser");
        for (String target : List.of("/ws?token=" + browserKey, "/socket.io/?EIO=4&transport=websocket")) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                socket.setSoTimeout(10_000);
                socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n"
                        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                String head = responseHead(socket.getInputStream());
                assertThat(head).as(target).startsWith("HTTP/1.1 101");
                assertThat(head.toLowerCase(Locale.ROOT)).as(target).doesNotContain("sec-websocket-extensions");
            }
        }
    }

    /** The status line and headers of an HTTP answer, up to the empty line. */
    private static String responseHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            head.append((char) b);
            if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
                break;
            }
        }
        return head.toString();
    }
}
