package dev.traceflow.realtime;

import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Socket.IO's long-polling transport in the running server, spoken by hand (Engine.IO v4 framing,
 * Socket.IO v5 packets) so every frame and every piece of bad input is in view. The npm
 * {@code socket.io-client} itself runs against the server in {@code RealtimeNodeIT}.
 */
class SocketIoPollingTest extends ServerTest {

    private static final String POLLING = "/socket.io/?EIO=4&transport=polling";
    private static final char SEP = '\u001e';

    private String serverKey() {
        String appId = "sio-" + Long.toHexString(System.nanoTime());
        auth.createApp(appId);
        TestHttp.Response r = http.post("/api/apps/" + appId + "/realtime/keys", "{\"kind\":\"server\"}",
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().path("key").asString();
    }

    /** The handshake's OPEN packet, as JSON. */
    private JsonNode open(String... headers) {
        TestHttp.Response r = http.get(POLLING, headers);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.header("Content-Type")).startsWith("text/plain");
        assertThat(r.body()).startsWith("0{");
        return TestHttp.JSON.readTree(r.body().substring(1));
    }

    private TestHttp.Response post(String sid, String body, String... headers) {
        List<String> all = new ArrayList<>(List.of("Content-Type", "text/plain;charset=UTF-8"));
        all.addAll(Arrays.asList(headers));
        return http.post(POLLING + "&sid=" + sid, body, all.toArray(String[]::new));
    }

    /** GETs until the packets seen contain one starting with each prefix; returns every packet seen. */
    private List<String> pollUntil(String sid, String... prefixes) {
        List<String> seen = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Arrays.stream(prefixes).allMatch(prefix -> seen.stream().anyMatch(p -> p.startsWith(prefix)))) {
            assertThat(System.nanoTime()).as("packets starting with " + Arrays.toString(prefixes) + "; got " + seen).isLessThan(deadline);
            TestHttp.Response r = http.get(POLLING + "&sid=" + sid);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            seen.addAll(Arrays.asList(r.body().split(String.valueOf(SEP))));
        }
        return seen;
    }

    private String joined(String key) {
        String sid = open().path("sid").asString();
        assertThat(post(sid, "40/realtime,{\"token\":\"" + key + "\"}").body()).isEqualTo("ok");
        assertThat(pollUntil(sid, "40/realtime,")).anyMatch(p -> p.startsWith("40/realtime,{\"sid\":"));
        return sid;
    }

    @Test
    void theHandshakeOpensASessionThatOffersTheUpgrade_andTellsItsHeartbeatAndPayloadLimit() {
        JsonNode open = open();

        assertThat(open.path("sid").asString()).hasSizeGreaterThanOrEqualTo(20);
        assertThat(open.path("upgrades").toString()).isEqualTo("[\"websocket\"]");
        assertThat(open.path("pingInterval").asLong()).isEqualTo(25_000);
        assertThat(open.path("pingTimeout").asLong()).isEqualTo(20_000);
        assertThat(open.path("maxPayload").asLong()).isEqualTo(131_072);
        assertThat(open().path("sid").asString()).isNotEqualTo(open.path("sid").asString());
    }

    @Test
    void packetsTravelBothWays_severalToABody_andACallbackGetsItsAnswer() {
        String sid = joined(serverKey());

        TestHttp.Response posted = post(sid, "42/realtime,[\"message\",{\"type\":\"subscribe\",\"topic\":\"t:1\"}]" + SEP
                + "42/realtime,7[\"message\",{\"type\":\"publish\",\"topic\":\"t:1\",\"id\":\"a\",\"payload\":{\"n\":1}}]" + SEP
                + "42/realtime,8[\"message\",{\"type\":\"ack\",\"topic\":\"t:1\",\"seq\":1}]");
        List<String> packets = pollUntil(sid, "43/realtime,8", "42/realtime,[\"message\",{\"type\":\"event\"");

        assertThat(posted.status()).as(posted.toString()).isEqualTo(200);
        assertThat(packets).contains("43/realtime,7[{\"type\":\"ack\",\"id\":\"a\",\"topic\":\"t:1\",\"seq\":1}]", "43/realtime,8[]",
                "42/realtime,[\"message\",{\"type\":\"ack\",\"id\":\"a\",\"topic\":\"t:1\",\"seq\":1}]");
        assertThat(packets).anyMatch(p -> p.startsWith("42/realtime,[\"message\",{\"type\":\"subscribed\",\"topic\":\"t:1\""));
        assertThat(packets.stream().filter(p -> p.contains("\"type\":\"event\"")).toList()).hasSize(1)
                .allMatch(p -> p.contains("\"seq\":1") && p.contains("\"payload\":{\"n\":1}"));
    }

    @Test
    void binaryAttachments_andBase64Packets_areBadMessage_andTheSessionStays() {
        String sid = joined(serverKey());
        String attachment = "b" + Base64.getEncoder().encodeToString(new byte[]{1, 2});
        String ping = "42/realtime,[\"message\",{\"type\":\"ping\"}]";

        post(sid, "451-/realtime,3[\"message\",{\"_placeholder\":true,\"num\":0}]" + SEP + attachment + SEP + ping);
        List<String> answered = pollUntil(sid, "42/realtime,[\"message\",{\"type\":\"pong\"}]");
        post(sid, attachment + SEP + ping);
        List<String> stray = pollUntil(sid, "42/realtime,[\"message\",{\"type\":\"pong\"}]");

        assertThat(answered).anyMatch(p -> p.startsWith("43/realtime,3[{\"type\":\"error\",\"code\":\"BAD_MESSAGE\""));
        assertThat(answered.stream().filter(p -> p.contains("BAD_MESSAGE")).toList())
                .as("the binary event's answer and its message; its attachment is no second error").hasSize(2);
        assertThat(stray.stream().filter(p -> p.contains("BAD_MESSAGE")).toList()).as("an attachment of no event").hasSize(1);
    }

    @Test
    void anotherNamespace_getsConnectError_andMessagesBeforeJoiningAreIgnored() {
        String sid = open().path("sid").asString();

        post(sid, "42/realtime,[\"message\",{\"type\":\"ping\"}]" + SEP + "40/chat,");
        List<String> packets = pollUntil(sid, "44/chat,");

        assertThat(packets).contains("44/chat,{\"message\":\"Invalid namespace: TraceFlow's is /realtime\"}");
        assertThat(packets).noneMatch(p -> p.contains("pong"));
    }

    @Test
    void aRefusedCredential_isAConnectErrorWithTheCode() {
        String sid = open().path("sid").asString();

        post(sid, "40/realtime,{\"token\":\"trs_nonsense\"}");

        assertThat(pollUntil(sid, "44/realtime,")).anyMatch(p -> p.startsWith("44/realtime,") && p.contains("\"code\":\"UNAUTHORIZED\"")
                && p.contains("\"status\":401"));
    }

    @Test
    void anUnknownSid_isSessionUnknown_forGetPostAndUpgrade() {
        TestHttp.Response get = http.get(POLLING + "&sid=no-such-session");
        TestHttp.Response posted = post("no-such-session", "6");
        TestHttp.Response upgrade = http.get("/socket.io/?EIO=4&transport=websocket&sid=no-such-session");

        assertThat(get.status()).isEqualTo(400);
        assertThat(get.json().path("code").asString()).isEqualTo("SESSION_UNKNOWN");
        assertThat(posted.status()).isEqualTo(400);
        assertThat(posted.json().path("code").asString()).isEqualTo("SESSION_UNKNOWN");
        assertThat(upgrade.status()).isEqualTo(400);
        assertThat(upgrade.json().path("code").asString()).isEqualTo("SESSION_UNKNOWN");
    }

    @Test
    void anOversizeBody_is413_andEndsTheSession() {
        String sid = open().path("sid").asString();

        TestHttp.Response r = post(sid, "4" + "x".repeat(131_072));

        assertThat(r.status()).as(r.toString()).isEqualTo(413);
        assertThat(r.json().path("code").asString()).isEqualTo("PAYLOAD_TOO_LARGE");
        assertThat(http.get(POLLING + "&sid=" + sid).json().path("code").asString()).isEqualTo("SESSION_UNKNOWN");
    }

    @Test
    void aBodyThatIsNoEngineIoPackets_is400_andEndsTheSession() {
        String sid = open().path("sid").asString();
        String empty = open().path("sid").asString();

        TestHttp.Response junk = post(sid, "9junk");
        TestHttp.Response blank = post(empty, "2" + SEP);

        assertThat(junk.status()).as(junk.toString()).isEqualTo(400);
        assertThat(junk.json().path("code").asString()).isEqualTo("BAD_REQUEST");
        assertThat(blank.status()).as("an empty packet after the separator").isEqualTo(400);
        assertThat(http.get(POLLING + "&sid=" + sid).json().path("code").asString()).isEqualTo("SESSION_UNKNOWN");
    }

    @Test
    void aSecondGetWhileOneWaits_is400_andTheWaitingOneIsToldTheSessionClosed() {
        String sid = open().path("sid").asString();
        CompletableFuture<TestHttp.Response> waiting = CompletableFuture.supplyAsync(() -> http.get(POLLING + "&sid=" + sid));
        await().pollDelay(Duration.ofMillis(300)).until(() -> true);

        TestHttp.Response second = http.get(POLLING + "&sid=" + sid);

        assertThat(second.status()).as(second.toString()).isEqualTo(400);
        assertThat(second.json().path("code").asString()).isEqualTo("BAD_REQUEST");
        assertThat(waiting.join().body()).isEqualTo("1");
    }

    @Test
    void theClientsClosePacket_endsTheSession() {
        String sid = joined(serverKey());

        assertThat(post(sid, "1").status()).isEqualTo(200);

        assertThat(http.get(POLLING + "&sid=" + sid).json().path("code").asString()).isEqualTo("SESSION_UNKNOWN");
    }

    @Test
    void aSessionAnswersOnlyItsOwnOrigin_andAnyPageMayMakeTheRequests() {
        TestHttp.Response handshake = http.get(POLLING, "Origin", "https://shop.example");
        String sid = handshake.body().substring(handshake.body().indexOf("\"sid\":\"") + 7).split("\"")[0];

        TestHttp.Response foreign = post(sid, "6", "Origin", "https://evil.example");
        TestHttp.Response none = http.get(POLLING + "&sid=" + sid);
        TestHttp.Response own = post(sid, "6", "Origin", "https://shop.example");
        TestHttp.Response preflight = http.send("OPTIONS", POLLING + "&sid=" + sid, null, "Origin", "https://shop.example",
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type");

        assertThat(handshake.header("Access-Control-Allow-Origin")).isEqualTo("https://shop.example");
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.json().path("code").asString()).isEqualTo("ORIGIN_NOT_ALLOWED");
        assertThat(none.status()).isEqualTo(403);
        assertThat(own.status()).as(own.toString()).isEqualTo(200);
        assertThat(preflight.status()).isEqualTo(200);
        assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo("https://shop.example");
        assertThat(preflight.header("Access-Control-Allow-Methods")).contains("POST");
    }

    @Test
    void otherEngineIoVersions_transports_andMethods_areRefused() {
        TestHttp.Response v3 = http.get("/socket.io/?EIO=3&transport=polling");
        TestHttp.Response flash = http.get("/socket.io/?EIO=4&transport=flashsocket");
        TestHttp.Response postWithoutSid = http.post(POLLING, "40", "Content-Type", "text/plain");
        TestHttp.Response put = http.send("PUT", POLLING, "x".getBytes(StandardCharsets.UTF_8));

        assertThat(v3.status()).isEqualTo(400);
        assertThat(v3.json().path("code").asString()).isEqualTo("TRANSPORT_UNSUPPORTED");
        assertThat(flash.json().path("code").asString()).isEqualTo("TRANSPORT_UNSUPPORTED");
        assertThat(postWithoutSid.status()).isEqualTo(400);
        assertThat(postWithoutSid.json().path("code").asString()).isEqualTo("BAD_REQUEST");
        assertThat(put.status()).isEqualTo(405);
    }
}
