package dev.traceflow.builds;

import dev.traceflow.builds.internal.run.BuildLogSink.LogLine;
import dev.traceflow.builds.internal.run.JdbcBuildLogStore;
import dev.traceflow.support.TestAuth;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.nio.ByteBuffer;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Build logs followed over {@code /ws} with the JDK's WebSocket client, against the real server. */
class BuildLogFollowersWsTest extends BuildsApiSupport {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @LocalServerPort
    int port;
    @Autowired
    JdbcBuildLogStore store;
    @Autowired
    MeterRegistry registry;

    /** Pings one test sends while lines are written to it. */
    static final int PINGS = 50;

    /** A /ws connection that queues what it receives, and counts the pongs. */
    static final class Ws implements WebSocket.Listener {
        final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        final CountDownLatch pongs = new CountDownLatch(PINGS);
        private final StringBuilder partial = new StringBuilder();
        WebSocket socket;

        static Ws connect(int port, String app, String token) {
            Ws ws = new Ws();
            ws.socket = HTTP.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?app=" + app + "&token=" + token), ws)
                    .join();
            return ws;
        }

        void send(String json) {
            socket.sendText(json, true).join();
        }

        JsonNode next() throws InterruptedException {
            JsonNode m = received.poll(20, TimeUnit.SECONDS);
            assertThat(m).as("a message within 20 s").isNotNull();
            return m;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                received.add(JSON.readTree(partial.toString()));
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            pongs.countDown();
            webSocket.request(1);
            return null;
        }
    }

    private String app;

    private String newApp() {
        app = TestAuth.uniqueName("follow").toLowerCase();
        auth.createApp(app);
        return app;
    }

    private String build(String appId) {
        String id = UUID.randomUUID().toString();
        FakeBuildDirectory.BUILDS.add(id, appId);
        return id;
    }

    private static List<LogLine> lines(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> new LogLine(Instant.parse("2026-12-05T01:00:00Z"), "info", "build", "line " + i))
                .toList();
    }

    private void append(String id, int from, int to) {
        store.append(id, 1, from, lines(from, to));
    }

    @Test
    void subscribe_replaysAfterTheCursor_goesLive_andEnds() throws Exception {
        String id = build(newApp());
        append(id, 1, 5);
        Ws ws = Ws.connect(port, app, auth.admin());
        ws.send("{\"type\":\"subscribe\",\"buildId\":\"" + id + "\",\"cursor\":2}");
        for (int c = 3; c <= 5; c++) {
            JsonNode m = ws.next();
            assertThat(m.path("type").asString()).isEqualTo("log");
            assertThat(m.path("cursor").asLong()).isEqualTo(c);
            assertThat(m.path("line").asString()).isEqualTo("line " + c);
            assertThat(m.path("buildId").asString()).isEqualTo(id);
            assertThat(m.path("stage").asString()).isEqualTo("build");
            assertThat(m.path("level").asString()).isEqualTo("info");
            assertThat(m.path("ts").asString()).isEqualTo("2026-12-05T01:00:00Z");
        }
        append(id, 6, 7);
        assertThat(ws.next().path("cursor").asLong()).isEqualTo(6);
        assertThat(ws.next().path("cursor").asLong()).isEqualTo(7);
        store.finish(id, "fail");
        JsonNode end = ws.next();
        assertThat(end.path("type").asString()).isEqualTo("end");
        assertThat(end.path("status").asString()).isEqualTo("fail");
        // the topic protocol goes on beside it
        ws.send("{\"type\":\"ping\"}");
        assertThat(ws.next().path("type").asString()).isEqualTo("pong");
        // an ended build replays and ends at once
        ws.send("{\"type\":\"subscribe\",\"buildId\":\"" + id + "\"}");
        for (int c = 1; c <= 7; c++) {
            assertThat(ws.next().path("cursor").asLong()).isEqualTo(c);
        }
        assertThat(ws.next().path("type").asString()).isEqualTo("end");
    }

    @Test
    void aFollowerThatHasEveryLineTold_waitsForTheNextAppend_withoutAskingTheStore() throws Exception {
        String id = build(newApp());
        append(id, 1, 1);
        Ws ws = Ws.connect(port, app, auth.admin());
        ws.send("{\"type\":\"subscribe\",\"buildId\":\"" + id + "\"}");
        assertThat(ws.next().path("cursor").asLong()).isEqualTo(1); // a replay: from the store
        double before = storeReads();
        for (int c = 2; c <= 41; c++) {
            append(id, c, c);
            assertThat(ws.next().path("cursor").asLong()).isEqualTo(c);
        }
        // asking the store at every wake (each append, each drained queue) was two reads an append; the replay's last may still come
        assertThat(storeReads() - before).isLessThanOrEqualTo(3);
        store.finish(id, "success");
        JsonNode end = ws.next();
        assertThat(end.path("type").asString()).isEqualTo("end");
        assertThat(end.path("status").asString()).isEqualTo("success");
    }

    private double storeReads() {
        return registry.counter("traceflow.builds.log.follower.store.reads").count();
    }

    @Test
    void unsubscribe_stopsTheLines() throws Exception {
        String id = build(newApp());
        Ws ws = Ws.connect(port, app, auth.admin());
        ws.send("{\"type\":\"subscribe\",\"buildId\":\"" + id + "\"}");
        append(id, 1, 1);
        assertThat(ws.next().path("cursor").asLong()).isEqualTo(1);
        ws.send("{\"type\":\"unsubscribe\",\"buildId\":\"" + id + "\"}");
        ws.send("{\"type\":\"ping\"}");
        assertThat(ws.next().path("type").asString()).isEqualTo("pong"); // the unsubscribe was handled before it
        append(id, 2, 2);
        ws.send("{\"type\":\"ping\"}");
        assertThat(ws.next().path("type").asString()).isEqualTo("pong");
        assertThat(ws.received).isEmpty();
    }

    @Test
    void errors_forOtherAppsBuilds_unknownBuilds_andBadMessages() throws Exception {
        String otherApp = newApp();
        String foreign = build(otherApp);
        append(foreign, 1, 1);
        newApp();
        Ws ws = Ws.connect(port, app, auth.admin());
        ws.send("{\"type\":\"subscribe\",\"buildId\":\"" + foreign + "\"}");
        assertError(ws.next(), "NOT_FOUND");
        ws.send("{\"type\":\"subscribe\",\"buildId\":\"" + UUID.randomUUID() + "\"}");
        assertError(ws.next(), "NOT_FOUND");
        String id = build(app);
        ws.send("{\"type\":\"subscribe\",\"buildId\":\"" + id + "\",\"cursor\":-1}");
        assertError(ws.next(), "BAD_MESSAGE");
        ws.send("{\"type\":\"subscribe\",\"buildId\":\"" + id + "\",\"cursor\":\"3\"}");
        assertError(ws.next(), "BAD_MESSAGE");
        ws.send("{\"type\":\"subscribe\",\"buildId\":\"" + id + "\",\"lastSeq\":3}");
        assertError(ws.next(), "BAD_MESSAGE");
        ws.send("{\"type\":\"subscribe\",\"buildId\":\"../x\"}");
        assertError(ws.next(), "BAD_MESSAGE");
        ws.send("{\"type\":\"publish\",\"buildId\":\"" + id + "\"}");
        assertError(ws.next(), "BAD_MESSAGE");
    }

    @Test
    void aViewerOfTheApp_mayFollow() throws Exception {
        String id = build(newApp());
        String viewer = TestAuth.uniqueName("viewer");
        String token = auth.newUserToken(viewer);
        auth.grant(app, viewer, "viewer");
        append(id, 1, 2);
        Ws ws = Ws.connect(port, app, token);
        ws.send("{\"type\":\"subscribe\",\"buildId\":\"" + id + "\"}");
        assertThat(ws.next().path("cursor").asLong()).isEqualTo(1);
        assertThat(ws.next().path("cursor").asLong()).isEqualTo(2);
    }

    private static void assertError(JsonNode m, String code) {
        assertThat(m.path("type").asString()).as(m.toString()).isEqualTo("error");
        assertThat(m.path("code").asString()).as(m.toString()).isEqualTo(code);
    }

    /**
     * Issue 21's fault: a follower killed and reconnected 20 times while the build writes ends with
     * exactly lines 1..N, each once, in order (every reconnect resumes from the last cursor it got).
     */
    @Test
    void aFollowerKilledAndReconnected20Times_endsWithExactlyLines1ToN() throws Exception {
        String id = build(newApp());
        int total = 3000;
        CountDownLatch killed20Times = new CountDownLatch(20);
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int from = 1; from <= total; from += 25) {
                append(id, from, from + 24);
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    return;
                }
            }
            try {
                killed20Times.await(); // the build ends only after the 20 kills, wherever the writing was then
            } catch (InterruptedException e) {
                return;
            }
            store.finish(id, "success");
        });
        List<Long> got = new ArrayList<>();
        long cursor = 0;
        boolean ended = false;
        for (int round = 0; !ended; round++) {
            Ws ws = Ws.connect(port, app, auth.admin());
            ws.send("{\"type\":\"subscribe\",\"buildId\":\"" + id + "\",\"cursor\":" + cursor + "}");
            int take = round < 20 ? ThreadLocalRandom.current().nextInt(1, 200) : Integer.MAX_VALUE;
            for (int i = 0; i < take; i++) {
                JsonNode m = ws.next();
                if (m.path("type").asString().equals("end")) {
                    assertThat(round).as("the follower was killed 20 times first").isGreaterThanOrEqualTo(20);
                    ended = true;
                    break;
                }
                assertThat(m.path("type").asString()).as(m.toString()).isEqualTo("log");
                cursor = m.path("cursor").asLong();
                got.add(cursor);
            }
            ws.socket.abort(); // killed: no close handshake, whatever was in flight is lost
            killed20Times.countDown();
        }
        writer.join();
        assertThat(got).containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
    }

    /**
     * A follower's burst goes out as runs of frames written together: every line arrives whole and in
     * order whatever its frame's header (short lines, lines of 126+ bytes, multi-byte characters), also
     * while the client pings (the server's pongs wait for a run to end, never land inside one).
     */
    @Test
    void aBurstOfLinesOfEverySize_andPingsMeanwhile_arriveWholeAndInOrder() throws Exception {
        String id = build(newApp());
        Ws ws = Ws.connect(port, app, auth.admin());
        ws.send("{\"type\":\"subscribe\",\"buildId\":\"" + id + "\"}");
        int total = 1500;
        List<String> texts = IntStream.rangeClosed(1, total)
                .mapToObj(i -> i % 3 == 0 ? "é".repeat(i % 700) + " line " + i : i % 3 == 1 ? "line " + i : "x".repeat(130 + i) + " " + i)
                .toList();
        Thread pinger = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < PINGS && !Thread.currentThread().isInterrupted(); i++) {
                ws.socket.sendPing(ByteBuffer.wrap(new byte[] {(byte) i})).join();
            }
        });
        for (int from = 1; from <= total; from += 300) {
            store.append(id, 1, from, IntStream.range(from, from + 300)
                    .mapToObj(i -> new LogLine(Instant.parse("2026-12-05T01:00:00Z"), "info", "build", texts.get(i - 1))).toList());
        }
        for (int c = 1; c <= total; c++) {
            JsonNode m = ws.next();
            assertThat(m.path("cursor").asLong()).as(m.toString()).isEqualTo(c);
            assertThat(m.path("line").asString()).isEqualTo(texts.get(c - 1));
        }
        pinger.join();
        assertThat(ws.pongs.await(20, TimeUnit.SECONDS)).as("a pong for every ping").isTrue();
    }
}
