package dev.traceflow.support;

import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.EventWriteQueue;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.convention.TestBean;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Base for tests against the whole server over real HTTP, on the embedded default (DuckDB file
 * + H2 file in a temporary folder). Every subclass shares one server (Spring caches the
 * context), so tests use their own eventIds/apps or compare counts before and after.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
public abstract class ServerTest {

    /** The bootstrap app's ingest key in tests. */
    public static final String DEMO_KEY = "tfk_test_demo_key_0123456789";
    /** The bootstrap admin's password in tests. */
    public static final String ADMIN_PASSWORD = "admin-test-password";
    /** The Prometheus scrape credential in tests. */
    public static final String METRICS_TOKEN = "test-metrics-scrape-token-0123";
    /** The remote build workers' token in tests. */
    public static final String WORKER_TOKEN = "worker-token-for-tests-0123456789";
    /** The one origin allowed to call the read / admin API from a browser in tests. */
    public static final String DASHBOARD_ORIGIN = "https://dash.example";
    /**
     * The test servers' clock (the server's {@code Clock} bean): tests of time-based rules hold
     * and move it instead of sleeping; whoever holds it releases it after the test.
     */
    public static final TestClock CLOCK = new TestClock();
    private static final Path DATA_DIR;

    static {
        try {
            // owner-only, as the server makes its data dir: builds must run all the same (BuildWorkspaces)
            DATA_DIR = Files.createTempDirectory("traceflow-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void embeddedDefault(DynamicPropertyRegistry registry) {
        registry.add("traceflow.data-dir", DATA_DIR::toString);
        registry.add("traceflow.storage.duckdb.file", () -> DATA_DIR.resolve("events.duckdb").toString());
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + DATA_DIR.resolve("metadata") + ";DB_CLOSE_ON_EXIT=FALSE");
        registry.add("traceflow.bootstrap.ingest-key", () -> DEMO_KEY);
        registry.add("traceflow.benchmark.noop-endpoint", () -> "true");
        registry.add("traceflow.bootstrap.admin-password", () -> ADMIN_PASSWORD);
        registry.add("traceflow.auth.bcrypt-strength", () -> "4"); // the minimum: tests log in often
        registry.add("traceflow.auth.cors-allowed-origins", () -> DASHBOARD_ORIGIN);
        registry.add("traceflow.auth.metrics-token", () -> METRICS_TOKEN);
        // the tests' requests stand for clients behind a proxy: loopback is it (and 192.0.2.0/24 more proxies)
        registry.add("traceflow.http.trusted-proxies", () -> "127.0.0.1/32,::1/128,192.0.2.0/24");
        // alert rounds run when a test calls the engine with the time it chooses, never on their own
        registry.add("traceflow.alerts.tick", () -> "0s");
        // alert webhooks reach the tests' receivers on loopback; every other internal address stays refused
        registry.add("traceflow.outbound.allowed-networks", () -> "127.0.0.1/32");
        registry.add("traceflow.alerts.delivery.base-delay", () -> "100ms");
        registry.add("traceflow.alerts.delivery.max-delay", () -> "200ms");
        // remote build workers: the worker API is open to the tests' client with this token
        registry.add("traceflow.builds.queue.worker-token", () -> WORKER_TOKEN);
        // builds run in bubblewrap where it is installed (CI installs it, and its own tests require it);
        // on a machine without it the server tests still run the queue, the steps and the log, unsandboxed
        registry.add("traceflow.builds.sandbox.mode", () -> Files.isExecutable(Path.of("/usr/bin/bwrap")) ? "bwrap" : "none");
    }

    /** The server's {@code Clock} bean, replaced by {@link #CLOCK} in every subclass's server. */
    @TestBean(name = "clock", methodName = "testClock")
    Clock serverClock;

    static Clock testClock() {
        return CLOCK;
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected EventStorage storage;

    @Autowired
    protected EventWriteQueue writeQueue;

    protected TestHttp http;
    protected TestAuth auth;

    @BeforeEach
    void client() {
        http = new TestHttp("http://127.0.0.1:" + port);
        auth = new TestAuth(http, CLOCK);
    }

    /** Stored events of the app over the whole accepted window (31 days back, 2 days ahead). */
    protected long storedCount(String appId) {
        awaitStored();
        Instant now = Instant.now();
        return storage.counts().count(appId, now.minusSeconds(31L * 86400), now.plusSeconds(2L * 86400));
    }

    /** Every event acknowledged so far is in the event store (the loader runs a little after the 202). */
    protected void awaitStored() {
        try {
            assertThat(writeQueue.awaitStored(Duration.ofSeconds(20))).as("events loaded into the store").isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    protected static Path dataDir() {
        return DATA_DIR;
    }
}
