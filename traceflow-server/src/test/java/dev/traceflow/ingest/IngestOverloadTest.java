package dev.traceflow.ingest;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.storage.EventCounts;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.EventWriter;
import dev.traceflow.core.storage.StorageException;
import dev.traceflow.core.storage.WriteResult;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bounded queue in front of storage, over HTTP: when it cannot take a request's events the
 * answer is 503 OVERLOADED with Retry-After and nothing of the request is stored; when the event
 * store fails, accepted events wait in the journal, health says so, and they are stored once it
 * recovers. Uses a storage that blocks or fails on demand.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "traceflow.storage.type=controllable",
        "traceflow.ingest.queue-capacity-events=100",
        "traceflow.ingest.admission-wait=300ms",
        "traceflow.ingest.retry-after-seconds=3",
        // a new journal segment after every append, so a test can make the next one fail
        "traceflow.storage.journal.segment-bytes=1"})
@Import(IngestOverloadTest.ControllableStorageConfig.class)
class IngestOverloadTest {

    static final ControllableStorage STORAGE = new ControllableStorage();
    static Path dataDir;

    @TestConfiguration
    static class ControllableStorageConfig {
        @Bean
        EventStorage controllableStorage() {
            return STORAGE;
        }
    }

    @DynamicPropertySource
    static void ownDataDir(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("traceflow-overload-");
        dataDir = dir;
        registry.add("traceflow.data-dir", dir::toString);
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("metadata"));
        registry.add("traceflow.bootstrap.ingest-key", () -> "overload-key");
        registry.add("traceflow.bootstrap.admin-password", () -> dev.traceflow.support.ServerTest.ADMIN_PASSWORD);
        registry.add("traceflow.auth.bcrypt-strength", () -> "4");
    }

    @LocalServerPort
    int port;

    private TestHttp.Response post(int events) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < events; i++) {
            body.append(i == 0 ? "" : ",").append("{\"appId\":\"demo\",\"type\":\"pageview\",\"timestamp\":")
                    .append(System.currentTimeMillis()).append('}');
        }
        return new TestHttp("http://127.0.0.1:" + port).post("/api/collect/batch", body.append(']').toString(),
                "Content-Type", "application/json", "X-TraceFlow-Key", "overload-key", "Origin", "https://shop.test");
    }

    @Test
    void fullQueue_answers503WithRetryAfterAndStoresNothingOfTheRequest() throws Exception {
        STORAGE.block();
        int before = STORAGE.stored;
        TestHttp.Response accepted = post(60);
        assertThat(accepted.status()).as("journaled, so answered while the store is blocked").isEqualTo(202);
        assertThat(STORAGE.entered.await(10, TimeUnit.SECONDS)).isTrue();

        TestHttp.Response refused = post(60);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isEqualTo("3");
        // a browser SDK can read the answer and the wait, so it backs off instead of retrying at once
        assertThat(refused.header("Access-Control-Allow-Origin")).isEqualTo("https://shop.test");
        assertThat(refused.header("Access-Control-Expose-Headers")).contains("Retry-After");
        assertThat(refused.json().path("code").asString()).isEqualTo("OVERLOADED");
        STORAGE.release();
        awaitStored(before + 60);
        Thread.sleep(200);
        assertThat(STORAGE.stored - before).as("only the first request's events").isEqualTo(60);
        String metrics = http().get("/actuator/prometheus", dev.traceflow.support.TestAuth.bearer(new dev.traceflow.support.TestAuth(http()).admin())).body();
        // refused before its body was read (the queue was over half full): counted as a request
        assertThat(metrics).containsPattern("traceflow_ingest_requests_rejected_total\\{app=\"demo\",[^}]*code=\"OVERLOADED\"[^}]*} [1-9]");
        assertThat(metrics).containsPattern("traceflow_storage_queue_admission_waits_total\\{[^}]*} [1-9]");
    }

    @Test
    void storeFailure_keepsAcceptedEventsAndStoresThemWhenTheStoreRecovers() throws Exception {
        int before = STORAGE.stored;
        STORAGE.failing = true;

        TestHttp.Response r = post(5);

        assertThat(r.status()).as("durable in the journal: " + r).isEqualTo(202);
        TestHttp.Response down = awaitHealth(503);
        assertThat(down.body()).contains("StoreNotLoadingException").doesNotContain("disk full");
        assertThat(STORAGE.stored).isEqualTo(before);

        STORAGE.failing = false;
        awaitStored(before + 5);
        awaitHealth(200);
        String metrics = http().get("/actuator/prometheus", dev.traceflow.support.TestAuth.bearer(new dev.traceflow.support.TestAuth(http()).admin())).body();
        assertThat(metrics).containsPattern("traceflow_storage_load_failures_total\\{[^}]*} [1-9]");
    }

    @Test
    void journalWriteFailure_answers503StorageUnavailableAndStoresNothingOfTheRequest() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(Path.of("/dev/full")), "needs /dev/full");
        int before = STORAGE.stored;
        Path journal = dataDir.resolve("journal");
        long active;
        try (var files = Files.list(journal)) {
            active = files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())
                    .mapToLong(n -> Long.parseLong(n.substring(0, 20))).max().orElseThrow();
        }
        // a one-event request is a 22-byte record here (ControllableStorage encodes 4 bytes), after
        // which the journal starts its next segment: make that one a full disk
        Path full = Files.createSymbolicLink(journal.resolve(String.format("%020d.journal", active + 22)), Path.of("/dev/full"));
        assertThat(post(1).status()).isEqualTo(202);

        TestHttp.Response failed = post(1);

        assertThat(failed.status()).as(failed.toString()).isEqualTo(503);
        assertThat(failed.json().path("code").asString()).isEqualTo("STORAGE_UNAVAILABLE");
        assertThat(failed.header("Retry-After")).isEqualTo("15");
        assertThat(failed.body()).doesNotContain("No space left");
        Files.delete(full);
        assertThat(post(1).status()).as("the disk has room again").isEqualTo(202);
        awaitStored(before + 2);
        Thread.sleep(200);
        assertThat(STORAGE.stored - before).as("the two journaled requests only").isEqualTo(2);
    }

    private TestHttp http() {
        return new TestHttp("http://127.0.0.1:" + port);
    }

    private TestHttp.Response awaitHealth(int status) throws InterruptedException {
        TestHttp.Response r = http().get("/health");
        for (int i = 0; i < 100 && r.status() != status; i++) {
            Thread.sleep(100);
            r = http().get("/health");
        }
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        return r;
    }

    private static void awaitStored(int count) throws InterruptedException {
        for (int i = 0; i < 200 && STORAGE.stored < count; i++) {
            Thread.sleep(50);
        }
        assertThat(STORAGE.stored).isEqualTo(count);
    }

    /** Stores nothing for real: counts what it would store, blocks or fails when told to. */
    static final class ControllableStorage implements EventStorage, EventWriter {
        volatile CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile boolean failing;
        volatile int stored;
        volatile long position = NO_POSITION;

        void block() {
            entered = new CountDownLatch(1);
            gate = new CountDownLatch(1);
        }

        void release() {
            gate.countDown();
        }

        /** Only the count matters here. */
        @Override
        public byte[] encode(List<Event> events) {
            return java.nio.ByteBuffer.allocate(4).putInt(events.size()).array();
        }

        @Override
        public byte[] slice(byte[] batch, int from, int to) {
            return java.nio.ByteBuffer.allocate(4).putInt(to - from).array();
        }

        @Override
        public WriteResult writeEncoded(List<byte[]> batches, long position) {
            entered.countDown();
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failing) {
                throw new StorageException("disk full");
            }
            int n = batches.stream().mapToInt(b -> java.nio.ByteBuffer.wrap(b).getInt()).sum();
            stored += n;
            if (position >= 0) {
                this.position = position;
            }
            return new WriteResult(n, new BitSet());
        }

        @Override
        public long storedPosition() {
            return position;
        }

        @Override
        public long deleteOlderThan(String appId, Instant cutoff) {
            return 0;
        }

        @Override
        public String name() {
            return "controllable";
        }

        @Override
        public EventWriter writer() {
            return this;
        }

        @Override
        public EventCounts counts() {
            return (appId, from, to) -> Map.of();
        }

        @Override
        public void check() {
        }

        @Override
        public void close() {
        }
    }
}
