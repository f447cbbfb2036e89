package dev.traceflow.ingest;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.EventWriteQueue;
import dev.traceflow.storage.internal.JournaledWriteQueue;
import dev.traceflow.storage.tests.InMemoryStorage;
import dev.traceflow.support.GatedStorage;
import dev.traceflow.support.Requirements;
import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The bounded queue in front of storage, over HTTP: when it cannot take a request's events the
 * answer is 503 OVERLOADED with Retry-After and nothing of the request is stored; when the event
 * store fails, accepted events wait in the journal, health says so, and they are stored once it
 * recovers. Uses a storage that blocks or fails on demand.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "traceflow.storage.type=controllable",
        "traceflow.storage.queue.capacity-events=100",
        // far above what 100 small events take, so only requests of large events reach it
        "traceflow.storage.queue.capacity-bytes=200000",
        // room for the bodies here and their events, not for the events of a 500 KB body
        "traceflow.ingest.max-buffered-bytes=2000000",
        "traceflow.ingest.admission-wait=300ms",
        "traceflow.ingest.retry-after-seconds=3",
        "traceflow.ingest.commit-timeout=2s",
        // a new journal segment after every append, so a test can make the next one fail
        "traceflow.storage.journal.segment-bytes=1"})
@Import(IngestOverloadTest.ControllableStorageConfig.class)
class IngestOverloadTest {

    static final InMemoryStorage EVENTS = new InMemoryStorage();
    static final GatedStorage STORAGE = new GatedStorage(EVENTS);
    static Path dataDir;

    /** Requests that hang on the way into the journal, as on a disk that stopped answering. */
    static volatile boolean journalHangs;

    @TestConfiguration
    static class ControllableStorageConfig {
        @Bean
        EventStorage controllableStorage() {
            return STORAGE;
        }

        /** The real queue, except that submissions never complete while {@link #journalHangs}. */
        @Bean
        @Primary
        EventWriteQueue hangingQueue(JournaledWriteQueue real) {
            return new EventWriteQueue() {
                public CompletableFuture<Void> submit(String appId, List<Event> events) {
                    return journalHangs ? new CompletableFuture<>() : real.submit(appId, events);
                }
                public CompletableFuture<Long> deleteApp(String appId) { return real.deleteApp(appId); }
                public CompletableFuture<Long> deleteOlderThan(String appId, Instant cutoff) { return real.deleteOlderThan(appId, cutoff); }
                public CompletableFuture<Long> deleteUser(String appId, String userId, String anonymousId) { return real.deleteUser(appId, userId, anonymousId); }
                public boolean awaitStored(Duration timeout) throws InterruptedException { return real.awaitStored(timeout); }
                public boolean awaitRoom(Duration maxWait) throws InterruptedException { return real.awaitRoom(maxWait); }
                public int queuedEvents() { return real.queuedEvents(); }
                public String loadError() { return real.loadError(); }
            };
        }
    }

    @DynamicPropertySource
    static void ownDataDir(DynamicPropertyRegistry registry) throws Exception {
        Path dir = Files.createTempDirectory("traceflow-overload-");
        dataDir = dir;
        registry.add("traceflow.data-dir", dir::toString);
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + dir.resolve("metadata"));
        registry.add("traceflow.bootstrap.ingest-key", () -> "overload-key-0123");
        registry.add("traceflow.bootstrap.admin-password", () -> ServerTest.ADMIN_PASSWORD);
        registry.add("traceflow.auth.bcrypt-strength", () -> "4");
    }

    @LocalServerPort
    int port;

    @Autowired
    EventWriteQueue queue;

    private TestHttp.Response post(int events) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < events; i++) {
            body.append(i == 0 ? "" : ",").append("{\"appId\":\"demo\",\"type\":\"pageview\",\"timestamp\":")
                    .append(System.currentTimeMillis()).append('}');
        }
        return new TestHttp("http://127.0.0.1:" + port).post("/api/collect/batch", body.append(']').toString(),
                "Content-Type", "application/json", "X-TraceFlow-Key", "overload-key-0123", "Origin", "https://shop.test");
    }

    @Test
    void fullQueue_answers503WithRetryAfterAndStoresNothingOfTheRequest() throws Exception {
        STORAGE.closeGate();
        int before = stored();
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
        STORAGE.openGate();
        awaitEverythingQueuedStored();
        assertThat(stored() - before).as("only the first request's events").isEqualTo(60);
        String metrics = http().get("/actuator/prometheus", adminToken()).body();
        // refused before its body was read (the queue was over half full): counted as a request
        assertThat(metrics).containsPattern("traceflow_ingest_requests_rejected_total\\{app=\"demo\",[^}]*code=\"OVERLOADED\"[^}]*} [1-9]");
        assertThat(metrics).containsPattern("traceflow_storage_queue_admission_waits_total\\{[^}]*} [1-9]");
    }

    @Test
    void requestThatDoesNotFit_answers503AndCountsItsEventsAsOverloaded() throws Exception {
        Map<String, Long> before = outcomes();
        STORAGE.closeGate();
        int stored = stored();
        assertThat(post(40).status()).isEqualTo(202);
        assertThat(STORAGE.entered.await(10, TimeUnit.SECONDS)).isTrue();

        // 40 waiting: not over half full, so it is read, but 40 + 70 > 100
        TestHttp.Response refused = post(70);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
        assertThat(refused.json().path("code").asString()).isEqualTo("OVERLOADED");
        STORAGE.openGate();
        awaitEverythingQueuedStored();
        assertThat(stored() - stored).isEqualTo(40);
        Map<String, Long> after = outcomes();
        assertThat(after.get("overloaded") - before.get("overloaded")).isEqualTo(70);
        assertThat(after.get("rate_limited") - before.get("rate_limited")).as("not a rate limit").isZero();
        assertThat(after.get("accepted") - before.get("accepted")).isEqualTo(40);
    }

    /** Few events, each with 30 KiB of properties. */
    private TestHttp.Response postLarge(int events) {
        String text = "x".repeat(30 * 1024);
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < events; i++) {
            body.append(i == 0 ? "" : ",").append("{\"appId\":\"demo\",\"type\":\"event\",\"name\":\"upload\",\"timestamp\":")
                    .append(System.currentTimeMillis()).append(",\"properties\":{\"text\":\"").append(text).append("\"}}");
        }
        return new TestHttp("http://127.0.0.1:" + port).post("/api/collect/batch", body.append(']').toString(),
                "Content-Type", "application/json", "X-TraceFlow-Key", "overload-key-0123");
    }

    @Test
    void requestOfFewLargeEventsThatDoesNotFitInBytes_answers503AndCountsItsEventsAsOverloaded() throws Exception {
        Map<String, Long> before = outcomes();
        STORAGE.closeGate();
        int stored = stored();
        assertThat(postLarge(2).status()).isEqualTo(202);
        assertThat(STORAGE.entered.await(10, TimeUnit.SECONDS)).isTrue();

        // 2 + 6 events are far from the 100-event bound; their 240 KB pass the 200 KB one
        TestHttp.Response refused = postLarge(6);

        assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isEqualTo("3");
        assertThat(refused.json().path("code").asString()).isEqualTo("OVERLOADED");
        STORAGE.openGate();
        awaitEverythingQueuedStored();
        assertThat(stored() - stored).isEqualTo(2);
        Map<String, Long> after = outcomes();
        assertThat(after.get("overloaded") - before.get("overloaded")).isEqualTo(6);
        assertThat(after.get("accepted") - before.get("accepted")).isEqualTo(2);
        String metrics = http().get("/actuator/prometheus", adminToken()).body();
        assertThat(metrics).containsPattern("traceflow_storage_queue_refused_total\\{[^}]*bound=\"bytes\"[^}]*} [1-9]");
        assertThat(metrics).containsPattern("traceflow_storage_queue_capacity_bytes\\{[^}]*} 200000");
    }

    @Test
    void bodyWhoseEventsWouldPassTheBodyBudget_answers503BeforeItIsParsed() {
        // 500 KB fit the 2 MB budget as a body; with room for its events (4 x 500 KB more) it does not
        String padded = "[" + " ".repeat(500_000) + "{\"appId\":\"demo\",\"type\":\"pageview\",\"timestamp\":"
                + System.currentTimeMillis() + "}]";
        long overloadedBefore = outcomes().get("overloaded");

        TestHttp.Response refused = new TestHttp("http://127.0.0.1:" + port).post("/api/collect/batch", padded,
                "Content-Type", "application/json", "X-TraceFlow-Key", "overload-key-0123");

        assertThat(refused.status()).as(refused.toString()).isEqualTo(503);
        assertThat(refused.header("Retry-After")).isEqualTo("3");
        assertThat(refused.json().path("message").asString()).contains("request bodies");
        assertThat(outcomes().get("overloaded")).as("refused before its events were read").isEqualTo(overloadedBefore);
        TestHttp.Response small = new TestHttp("http://127.0.0.1:" + port).post("/api/collect/batch",
                padded.replace(" ".repeat(500_000), " ".repeat(100_000)),
                "Content-Type", "application/json", "X-TraceFlow-Key", "overload-key-0123");
        assertThat(small.status()).as("a fifth of it fits: " + small).isEqualTo(202);
    }

    @Test
    void journalThatDoesNotConfirmInTime_answers503AndCountsItsEventsAsStorageTimeout() throws Exception {
        Map<String, Long> before = outcomes();
        journalHangs = true;
        TestHttp.Response r;
        try {
            r = post(4);
        } finally {
            journalHangs = false;
        }

        assertThat(r.status()).as(r.toString()).isEqualTo(503);
        assertThat(r.json().path("code").asString()).isEqualTo("STORAGE_TIMEOUT");
        assertThat(outcomes().get("storage_timeout") - before.get("storage_timeout")).isEqualTo(4);
    }

    private Map<String, Long> outcomes() {
        TestHttp.Response r = http().get("/api/ingest/stats?appId=demo", adminToken());
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        Map<String, Long> out = new HashMap<>();
        r.json().properties().forEach(e -> {
            if (e.getValue().isNumber()) {
                out.put(e.getKey(), e.getValue().asLong());
            }
        });
        return out;
    }

    @Test
    void storeFailure_keepsAcceptedEventsAndStoresThemWhenTheStoreRecovers() throws Exception {
        int before = stored();
        STORAGE.failures.set(Integer.MAX_VALUE);

        TestHttp.Response r = post(5);

        assertThat(r.status()).as("durable in the journal: " + r).isEqualTo(202);
        TestHttp.Response down = awaitHealth(503);
        assertThat(down.body()).contains("StoreNotLoadingException").doesNotContain("disk full");
        assertThat(stored()).isEqualTo(before);

        STORAGE.failures.set(0);
        awaitEverythingQueuedStored();
        assertThat(stored() - before).isEqualTo(5);
        awaitHealth(200);
        String metrics = http().get("/actuator/prometheus", adminToken()).body();
        assertThat(metrics).containsPattern("traceflow_storage_load_failures_total\\{[^}]*} [1-9]");
    }

    @Test
    void journalWriteFailure_answers503StorageUnavailableAndStoresNothingOfTheRequest() throws Exception {
        Requirements.require(Files.isWritable(Path.of("/dev/full")), "/dev/full (a disk that is always full)");
        int before = stored();
        long failedBefore = outcomes().get("storage_failed");
        Path journal = dataDir.resolve("journal");
        // the journal starts a segment after every append (segment-bytes=1), named by its start:
        // one request tells how long a one-event record is, and where the segment after the next
        // one will start; make that one a full disk
        long before1 = newestSegment(journal);
        assertThat(post(1).status()).isEqualTo(202);
        long after1 = newestSegment(journal);
        long record = after1 - before1;
        assertThat(record).isPositive();
        Path full = Files.createSymbolicLink(journal.resolve(String.format("%020d.journal", after1 + record)), Path.of("/dev/full"));
        assertThat(post(1).status()).isEqualTo(202);

        TestHttp.Response failed = post(1);

        assertThat(failed.status()).as(failed.toString()).isEqualTo(503);
        assertThat(failed.json().path("code").asString()).isEqualTo("STORAGE_UNAVAILABLE");
        assertThat(failed.header("Retry-After")).isEqualTo("15");
        assertThat(failed.body()).doesNotContain("No space left");
        Files.delete(full);
        assertThat(post(1).status()).as("the disk has room again").isEqualTo(202);
        assertThat(outcomes().get("storage_failed") - failedBefore).isEqualTo(1);
        awaitEverythingQueuedStored();
        assertThat(stored() - before).as("the three journaled requests only").isEqualTo(3);
    }

    private static int stored() {
        return EVENTS.events().size();
    }

    private static long newestSegment(Path journal) throws IOException {
        try (var files = Files.list(journal)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".journal"))
                    .mapToLong(n -> Long.parseLong(n.substring(0, 20))).max().orElseThrow();
        }
    }

    private TestHttp http() {
        return new TestHttp("http://127.0.0.1:" + port);
    }

    private String[] adminToken() {
        return TestAuth.bearer(new TestAuth(http()).admin());
    }

    private TestHttp.Response awaitHealth(int status) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> http().get("/health"), r -> r.status() == status);
    }

    /**
     * Every event the queue acknowledged is in the store: counts taken after this are final (a
     * refused request that had slipped into the queue would be counted too, not missed by a
     * sleep that ended too early).
     */
    private void awaitEverythingQueuedStored() throws InterruptedException {
        assertThat(queue.awaitStored(Duration.ofSeconds(30))).as("the loader stored what was acknowledged").isTrue();
    }
}
