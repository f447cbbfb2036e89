package dev.traceflow.it;

import dev.traceflow.storage.duckdb.DuckDbStorage;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * API.md's 202 promise against a real crash: the packaged server takes events on a DuckDB file,
 * is killed with SIGKILL (no shutdown hook, no flush), is started again (which loads what the
 * journal holds and the store did not), and every event it answered 202 for is in the file, once. Runs the jar built by {@code package}, with the JDK running this test.
 */
class CrashDurabilityIT {

    @TempDir
    Path dir;

    private Process server;

    @AfterEach
    void kill() {
        if (server != null) {
            server.destroyForcibly();
        }
    }

    @Test
    void acceptedEvents_surviveAKill9() throws Exception {
        TestHttp http = startServer();

        long accepted = 0;
        long now = System.currentTimeMillis();
        for (int request = 0; request < 40; request++) {
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < 50; i++) {
                body.append(i == 0 ? "" : ",").append("{\"appId\":\"demo\",\"type\":\"pageview\",\"timestamp\":").append(now)
                        .append(",\"eventId\":\"r").append(request).append('-').append(i).append("\",\"url\":\"https://shop.test/p\"}");
            }
            TestHttp.Response r = http.post("/api/collect/batch", body.append(']').toString(),
                    "Content-Type", "application/json", "X-TraceFlow-Key", "crash-test-key-0123");
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
            accepted += r.json().path("accepted").asLong();
        }
        server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

        // What the store had not loaded yet is in the journal: the next start loads it, once.
        startServer();
        server.destroy(); // SIGTERM: a graceful stop, so DuckDB's file can be opened below
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();

        try (DuckDbStorage storage = new DuckDbStorage(dir.resolve("data/events.duckdb"), 1, "256MB", 1000)) {
            long stored = storage.counts().count("demo", Instant.ofEpochMilli(now).minusSeconds(60), Instant.ofEpochMilli(now).plusSeconds(60));
            assertThat(stored).isEqualTo(accepted).isEqualTo(2000);
        }
    }

    /**
     * The loader cuts transactions at row group boundaries, splitting a request, and records a
     * position inside it; after a kill -9 the restart must load only the rest of that request.
     * Small row groups (2,048) and four concurrent senders make backlogs, and so splits, likely
     * (whether the kill lands inside a split request is up to timing; JournaledWriteQueueTest
     * covers that case deterministically); the events carry no eventId, so an event stored twice
     * would show in the count.
     */
    @Test
    void eventsOfRequestsSplitAcrossTransactions_surviveAKill9ExactlyOnce() throws Exception {
        java.util.Map<String, String> smallRowGroups = java.util.Map.of(
                "TRACEFLOW_STORAGE_DUCKDB_ROW_GROUP_SIZE", "2048",
                "TRACEFLOW_STORAGE_JOURNAL_LOAD_BATCH_EVENTS", "2048");
        TestHttp http = startServer(smallRowGroups);
        long now = System.currentTimeMillis();
        java.util.concurrent.atomic.AtomicLong accepted = new java.util.concurrent.atomic.AtomicLong();
        List<Thread> senders = new java.util.ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < 4; t++) {
            senders.add(Thread.ofPlatform().uncaughtExceptionHandler((thread, e) -> failures.add(e)).start(() -> {
                StringBuilder body = new StringBuilder("[");
                for (int i = 0; i < 50; i++) {
                    body.append(i == 0 ? "" : ",").append("{\"appId\":\"demo\",\"type\":\"pageview\",\"timestamp\":").append(now)
                            .append(",\"url\":\"https://shop.test/p\"}");
                }
                String json = body.append(']').toString();
                for (int request = 0; request < 60; request++) {
                    TestHttp.Response r = http.post("/api/collect/batch", json,
                            "Content-Type", "application/json", "X-TraceFlow-Key", "crash-test-key-0123");
                    assertThat(r.status()).as(r.toString()).isEqualTo(202);
                    accepted.addAndGet(r.json().path("accepted").asLong());
                }
            }));
        }
        for (Thread sender : senders) {
            sender.join();
        }
        assertThat(failures).isEmpty();
        server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);

        startServer(smallRowGroups);
        server.destroy();
        assertThat(server.waitFor(60, TimeUnit.SECONDS)).isTrue();

        try (DuckDbStorage storage = new DuckDbStorage(dir.resolve("data/events.duckdb"), 1, "256MB", 1000)) {
            long stored = storage.counts().count("demo", Instant.ofEpochMilli(now).minusSeconds(60), Instant.ofEpochMilli(now).plusSeconds(60));
            assertThat(stored).isEqualTo(accepted.get()).isEqualTo(4 * 60 * 50);
        }
    }

    private TestHttp startServer() throws IOException, InterruptedException {
        return startServer(java.util.Map.of());
    }

    private TestHttp startServer(java.util.Map<String, String> env) throws IOException, InterruptedException {
        int port = ServerProcesses.freePort();
        server = ServerProcesses.startJar(port, dir.resolve("data"), "crash-test-key-0123", List.of("-Xmx512m"), env,
                dir.resolve("server.log"));
        TestHttp http = new TestHttp("http://127.0.0.1:" + port);
        ServerProcesses.awaitHealthy(server, http, dir.resolve("server.log"), Duration.ofSeconds(90));
        return http;
    }
}
