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
 * answer is 503 OVERLOADED with Retry-After and nothing of the request is stored; when storage
 * fails the answer is 503 STORAGE_UNAVAILABLE. Uses a storage that blocks or fails on demand.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "traceflow.storage.type=controllable",
        "traceflow.ingest.queue-capacity-events=100",
        "traceflow.ingest.retry-after-seconds=3"})
@Import(IngestOverloadTest.ControllableStorageConfig.class)
class IngestOverloadTest {

    static final ControllableStorage STORAGE = new ControllableStorage();

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
                "Content-Type", "application/json", "X-TraceFlow-Key", "overload-key");
    }

    @Test
    void fullQueue_answers503WithRetryAfterAndStoresNothingOfTheRequest() throws Exception {
        STORAGE.block();
        CompletableFuture<TestHttp.Response> first = CompletableFuture.supplyAsync(() -> post(60));
        assertThat(STORAGE.entered.await(10, TimeUnit.SECONDS)).isTrue();

        TestHttp.Response refused = post(60);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isEqualTo("3");
        assertThat(refused.json().path("code").asString()).isEqualTo("OVERLOADED");
        STORAGE.release();
        TestHttp.Response accepted = first.get(10, TimeUnit.SECONDS);
        assertThat(accepted.status()).isEqualTo(202);
        assertThat(STORAGE.stored).as("only the first request's events").isEqualTo(60);
        String metrics = new TestHttp("http://127.0.0.1:" + port).get("/actuator/prometheus", dev.traceflow.support.TestAuth.bearer(new dev.traceflow.support.TestAuth(new TestHttp("http://127.0.0.1:" + port)).admin())).body();
        assertThat(metrics).containsPattern("traceflow_ingest_events_total\\{app=\"demo\",[^}]*outcome=\"rate_limited\"[^}]*} 60");
        assertThat(metrics).containsPattern("traceflow_storage_queue_refused_total\\{[^}]*} [1-9]");
    }

    @Test
    void storageFailure_answers503StorageUnavailable() {
        STORAGE.failNext = true;
        TestHttp.Response r = post(5);
        assertThat(r.status()).as(r.toString()).isEqualTo(503);
        assertThat(r.json().path("code").asString()).isEqualTo("STORAGE_UNAVAILABLE");
        assertThat(r.header("Retry-After")).isNotNull();
        assertThat(r.body()).doesNotContain("disk full");
    }

    /** Stores nothing for real: counts what it would store, blocks or fails when told to. */
    static final class ControllableStorage implements EventStorage, EventWriter {
        volatile CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch gate = new CountDownLatch(0);
        volatile boolean failNext;
        volatile int stored;

        void block() {
            entered = new CountDownLatch(1);
            gate = new CountDownLatch(1);
        }

        void release() {
            gate.countDown();
        }

        @Override
        public WriteResult write(List<Event> events) {
            entered.countDown();
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (failNext) {
                failNext = false;
                throw new StorageException("disk full");
            }
            stored += events.size();
            return new WriteResult(events.size(), new BitSet());
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
