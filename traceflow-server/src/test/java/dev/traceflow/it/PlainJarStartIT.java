package dev.traceflow.it;

import dev.traceflow.proto.v1.AnalyticsEvent;
import dev.traceflow.proto.v1.EventContext;
import dev.traceflow.proto.v1.MessageSentEvent;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A plain {@code java -jar traceflow-server.jar}, with none of the flags {@code ./traceflow}
 * passes, logs only JSON lines: through start-up (DuckDB's native library: the jar's manifest
 * grants native access) and the first protobuf request (protobuf 4.36 no longer calls
 * {@code sun.misc.Unsafe}, whose JDK 24+ warning was a raw line). Without the variable that
 * {@code ./traceflow} sets for DuckDB's allocator, it says so once, as a warning.
 */
class PlainJarStartIT {

    @TempDir
    Path dir;

    private Process server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.destroyForcibly();
        }
    }

    @Test
    void plainJavaJar_logsOnlyJsonLinesThroughStartAndTheFirstRequestOfEachKind() throws Exception {
        int port = ServerProcesses.freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        Path jar = Path.of("target/traceflow-server.jar").toAbsolutePath();
        Path log = dir.resolve("server.log");
        ProcessBuilder pb = new ProcessBuilder(java, "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("SERVER_PORT", Integer.toString(port));
        pb.environment().put("TRACEFLOW_DATA_DIR", dir.resolve("data").toString());
        pb.environment().put("TRACEFLOW_BOOTSTRAP_INGEST_KEY", "plain-jar-key-0123");
        // as a plain start would have it: only ./traceflow sets DuckDB's allocator options
        pb.environment().remove("DUCKDB_JE_MALLOC_CONF");
        server = pb.start();
        TestHttp http = new TestHttp("http://127.0.0.1:" + port);
        ServerProcesses.awaitHealthy(server, http, log, Duration.ofSeconds(90));

        long now = System.currentTimeMillis();
        assertThat(http.post("/api/collect", "{\"appId\":\"demo\",\"type\":\"pageview\",\"timestamp\":" + now + "}",
                "Content-Type", "application/json", "X-TraceFlow-Key", "plain-jar-key-0123").status()).isEqualTo(202);
        AnalyticsEvent event = AnalyticsEvent.newBuilder()
                .setContext(EventContext.newBuilder().setClientId("c1").setUserId("u1").setClientTs(now))
                .setMessageSent(MessageSentEvent.newBuilder().setChatId("general").setSize(42))
                .build();
        assertThat(http.post("/api/event", event.toByteArray(), "Content-Type", "application/x-protobuf",
                "X-TraceFlow-Key", "plain-jar-key-0123").status()).isEqualTo(202);
        server.destroy();
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();

        List<String> lines = Files.readAllLines(log);
        assertThat(lines).as("the server logged").isNotEmpty();
        assertThat(lines).as("only JSON lines in:%n%s", String.join("\n", lines))
                .allSatisfy(line -> assertThat(line).startsWith("{"));
        if (System.getProperty("os.arch").equals("amd64")) {
            // DuckDB bundles jemalloc on Linux x86_64 only
            assertThat(lines).as("the allocator warning, once").filteredOn(line -> line.contains("DUCKDB_JE_MALLOC_CONF is not set"))
                    .singleElement().satisfies(line -> assertThat(line).contains("\"WARN\""));
        }
    }
}
