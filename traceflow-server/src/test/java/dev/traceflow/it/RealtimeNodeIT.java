package dev.traceflow.it;

import dev.traceflow.support.NodeJs;
import dev.traceflow.support.Requirements;
import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real clients of the realtime gateway under Node, against this server: the npm {@code ws} client
 * ({@code src/test/node/realtime-ws.test.mjs}) and {@code socket.io-client} 4.x over its WebSocket
 * transport ({@code realtime-socketio.test.mjs}), run with Node's own test runner. This class sets up
 * what they need (two apps, their keys, an editor and a viewer) and hands it over as JSON; the
 * scenarios are in the script. Needs Node.js >= 18 and {@code npm ci} in {@code src/test/node}
 * ({@code .ci/run} does both; without them the test fails under {@code CI=true} and is skipped elsewhere).
 * <p>
 * Its own server: access tokens live 10 s (with 1 s of clock skew) so a token's expiry on an open
 * connection is seen within the test, the history keeps 200 events, an unacknowledged event is
 * sent again after 1 s, and a client has 200 events unacknowledged at most with 256 more queued, so
 * every rule is reached with few events.
 */
@TestPropertySource(properties = {
        "traceflow.auth.access-token-ttl=10s",
        "traceflow.auth.clock-skew=1s",
        "traceflow.realtime.history-size=200",
        "traceflow.realtime.ack-timeout=1s",
        "traceflow.realtime.send-queue-capacity=256",
        "traceflow.realtime.max-unacked-per-connection=200"})
// The in-process ITs share one JVM: a server left open would hold the test servers' DuckDB file, and
// an IT with settings of its own (RealtimeNodeIT) could not start its server on it. Each closes its own.
@org.springframework.test.annotation.DirtiesContext(classMode = org.springframework.test.annotation.DirtiesContext.ClassMode.AFTER_CLASS)
class RealtimeNodeIT extends ServerTest {

    static final Path NODE_TESTS = Path.of("src/test/node");
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String ORIGIN = "https://shop.example";

    @BeforeEach
    void node() {
        Requirements.require(NodeJs.majorVersion() >= 18, "Node.js >= 18 on the PATH (apt-get install nodejs npm)");
        Requirements.require(Files.isDirectory(NODE_TESTS.resolve("node_modules/ws"))
                        && Files.isDirectory(NODE_TESTS.resolve("node_modules/socket.io-client")),
                "the Node test clients installed: npm ci in traceflow-server/src/test/node");
    }


    private String app(List<String> origins) {
        String appId = "rtnode-" + Long.toHexString(System.nanoTime());
        TestHttp.Response r = http.post("/api/apps", JSON.writeValueAsString(Map.of("id", appId, "allowedOrigins", origins)),
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return appId;
    }

    private String key(String appId, String kind) {
        TestHttp.Response r = http.post("/api/apps/" + appId + "/realtime/keys", "{\"kind\":\"" + kind + "\"}",
                "Content-Type", "application/json", "Authorization", "Bearer " + auth.admin());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        return r.json().path("key").asString();
    }

    @Test
    void rawWebSocketAndSocketIoClients_underNode() throws Exception {
        runNode("realtime-ws.test.mjs", "realtime-socketio.test.mjs");
    }

    @Test
    void theReferenceClient_underNode() throws Exception {
        runNode("realtime-client.test.mjs");
    }

    /**
     * Runs test files under Node's test runner against this server, with a fixture of their own;
     * every test must run and pass, none skipped.
     */
    private void runNode(String... files) throws Exception {
        String app = app(List.of(ORIGIN));
        String other = app(List.of("*"));
        Map<String, Object> fixture = new LinkedHashMap<>();
        fixture.put("app", app);
        fixture.put("otherApp", other);
        fixture.put("origin", ORIGIN);
        fixture.put("foreignOrigin", "https://evil.example");
        fixture.put("serverKey", key(app, "server"));
        fixture.put("browserKey", key(app, "browser"));
        fixture.put("otherServerKey", key(other, "server"));
        fixture.put("otherBrowserKey", key(other, "browser"));
        fixture.put("ingestKey", DEMO_KEY);
        fixture.put("editor", auth.createMember(app, "node", "editor"));
        fixture.put("viewer", auth.createMember(app, "node", "viewer"));
        fixture.put("historySize", 200);
        fixture.put("maxMessageBytes", 65536);
        fixture.put("clockSkewMillis", 1000);
        fixture.put("tokenLifetimeMillis", 10_000);

        Path log = Files.createTempFile("realtime-node-", ".log");
        List<String> command = new java.util.ArrayList<>(List.of("node", "--test", "--test-reporter=spec"));
        command.addAll(List.of(files));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(NODE_TESTS.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("TRACEFLOW_URL", "http://127.0.0.1:" + port);
        pb.environment().put("TRACEFLOW_FIXTURE", JSON.writeValueAsString(fixture));
        Process node = pb.start();
        boolean finished = node.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            node.destroyForcibly();
        }
        String output = Files.readString(log);
        System.out.println(output); // the spec reporter's lines, in the failsafe report
        assertThat(finished).as("the Node tests finished within 5 minutes:\n" + output).isTrue();
        assertThat(node.exitValue()).as("the Node tests passed:\n" + output).isZero();
        // the spec reporter's summary: every test ran, none failed, none was skipped
        assertThat(output).containsPattern("(?m)^ℹ fail 0$").containsPattern("(?m)^ℹ tests [1-9]").containsPattern("(?m)^ℹ skipped 0$")
                .containsPattern("(?m)^ℹ todo 0$");
    }
}
