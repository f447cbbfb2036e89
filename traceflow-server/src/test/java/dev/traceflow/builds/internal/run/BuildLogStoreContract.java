package dev.traceflow.builds.internal.run;

import dev.traceflow.builds.internal.run.BuildLogSink.LogLine;
import dev.traceflow.support.TestProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The durable build log, written once and run on H2 (the default) and PostgreSQL. */
abstract class BuildLogStoreContract {

    static final Instant T = Instant.parse("2026-12-05T01:02:03.456Z");

    @TempDir
    Path logs;
    JdbcClient jdbc;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();

    abstract DataSource dataSource();

    abstract String vendor();

    @BeforeEach
    void migrate() {
        Flyway.configure().dataSource(dataSource()).locations("classpath:db/migration", "classpath:db/vendor/" + vendor()).load().migrate();
        jdbc = JdbcClient.create(dataSource());
    }

    JdbcBuildLogStore store(boolean prune) {
        BuildLogProperties settings = new BuildLogProperties(logs, 100, 10_000, 1000, 6, 200, 50, prune);
        return new JdbcBuildLogStore(jdbc, new JdbcTemplate(dataSource()), new TransactionTemplate(new DataSourceTransactionManager(dataSource())),
                settings, TestProperties.defaults(), Clock.fixed(T, ZoneOffset.UTC), registry);
    }

    static List<LogLine> lines(String... texts) {
        return java.util.Arrays.stream(texts).map(t -> new LogLine(T, "info", "build", t)).toList();
    }

    static List<String> texts(LogPage page) {
        return page.lines().stream().map(StoredLine::line).toList();
    }

    @Test
    void cursorsAreGaplessFrom1_perBuild_andStoredBeforeAppendReturns() {
        JdbcBuildLogStore store = store(false);
        assertThat(store.append("b1", 1, 1, lines("a", "b"))).isEqualTo(2);
        assertThat(store.append("b2", 1, 1, lines("other"))).isEqualTo(1);
        assertThat(store.append("b1", 1, 3, lines("c"))).isEqualTo(3);
        // another store over the same database (a restarted server) sees every acknowledged line
        LogPage page = store(false).read("b1", 0, 100);
        assertThat(page.lines()).extracting(StoredLine::cursor).containsExactly(1L, 2L, 3L);
        assertThat(texts(page)).containsExactly("a", "b", "c");
        assertThat(page.lines().getFirst().ts()).isEqualTo(T);
        assertThat(page.done()).isFalse();
    }

    @Test
    void aResend_storesNothingTwice_evenAfterARestart() {
        JdbcBuildLogStore store = store(false);
        store.append("b1", 1, 1, lines("a", "b"));
        assertThat(store.append("b1", 1, 1, lines("a", "b"))).isEqualTo(2);
        assertThat(store(false).append("b1", 1, 2, lines("b", "c"))).isEqualTo(3);
        assertThat(texts(store(false).read("b1", 0, 100))).containsExactly("a", "b", "c");
    }

    @Test
    void aNewAttempt_numbersItsOwnLines_andContinuesTheCursor() {
        JdbcBuildLogStore store = store(false);
        store.append("b1", 1, 1, lines("first try"));
        assertThat(store.append("b1", 2, 1, lines("second try"))).isEqualTo(2);
        assertThat(texts(store.read("b1", 0, 10))).containsExactly("first try", "second try");
    }

    @Test
    void concurrentAppends_keepCursorsGapless() throws Exception {
        JdbcBuildLogStore store = store(false);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<?>> writers = new ArrayList<>();
        for (int attempt = 1; attempt <= 4; attempt++) {
            int a = attempt;
            writers.add(pool.submit(() -> {
                for (int i = 0; i < 50; i++) {
                    store.append("b1", a, i * 2L + 1, lines("x", "y"));
                }
            }));
        }
        for (Future<?> w : writers) {
            w.get();
        }
        pool.shutdown();
        assertThat(store(false).read("b1", 0, 1000).lines()).extracting(StoredLine::cursor)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 400).boxed().toList());
    }

    @Test
    void secretsAreMasked_plainBase64UrlEncoded_andSplitAcrossAppends() {
        JdbcBuildLogStore store = store(false);
        String secret = "s3cr3t-t0ken/value";
        store.registerSecrets("b1", List.of(secret));
        String b64 = Base64.getEncoder().encodeToString(("user:" + secret).getBytes(StandardCharsets.UTF_8));
        store.append("b1", 1, 1, lines("plain " + secret, "basic " + b64, "url s3cr3t-t0ken%2Fvalue", "split " + secret.substring(0, 7)));
        // the line ending in the secret's beginning waits for what follows
        assertThat(store.lastCursor("b1")).isEqualTo(3);
        assertThat(store.append("b1", 1, 5, lines(secret.substring(7) + " rest"))).isEqualTo(5);
        store.append("b1", 1, 6, lines("tail s3cr"));
        store.finish("b1", "success");
        List<String> stored = texts(store.read("b1", 0, 100));
        assertThat(stored).containsExactly("plain [MASKED]", "basic " + b64.substring(0, 7) + "[MASKED]" + b64.substring(b64.length() - 2), "url [MASKED]",
                "split [MASKED]", "[MASKED] rest", "tail s3cr");
        assertThat(String.join("\n", stored)).doesNotContain("t0ken");
        assertThat(registry.get("traceflow.builds.log.masked").counter().count()).isEqualTo(4); // the split one once
    }

    @Test
    void anAppend_recordsWhereItsTimeWent_byPhase() {
        JdbcBuildLogStore store = store(false);
        store.append("b1", 1, 1, lines("a", "b"));
        store.append("b1", 1, 3, lines("c"));
        for (String phase : List.of("mask", "insert", "write_out", "tell")) {
            assertThat(registry.get("traceflow.builds.log.append.phase").tag("phase", phase).timer().count()).as(phase).isEqualTo(2);
        }
    }

    @Test
    void longLinesAreCut() {
        JdbcBuildLogStore store = store(false);
        store.append("b1", 1, 1, lines("x".repeat(250)));
        assertThat(texts(store.read("b1", 0, 1)).getFirst()).isEqualTo("x".repeat(100) + " [cut: 150 more characters]");
    }

    @Test
    void finish_archivesOneFile_marksTheLogDone_andRefusesLateLines() throws Exception {
        JdbcBuildLogStore store = store(false);
        store.append("b1", 1, 1, lines("one", "two"));
        String ref = store.finish("b1", "fail");
        assertThat(store.finish("b1", "fail")).isEqualTo(ref);
        JdbcBuildLogStore.Archive archive = store.archived("b1").orElseThrow();
        assertThat(Files.readString(store.archiveFile(archive)))
                .isEqualTo(T + " info build one\n" + T + " info build two\n");
        assertThat(archive.lines()).isEqualTo(2);
        LogPage page = store.read("b1", 0, 100);
        assertThat(page.done()).isTrue();
        assertThat(page.status()).isEqualTo("fail");
        assertThat(store.read("b1", 1, 100).done()).isTrue();
        assertThat(store.read("b1", 0, 1).done()).isFalse();
        assertThatThrownBy(() -> store.append("b1", 1, 3, lines("late"))).isInstanceOf(IllegalStateException.class);
        assertThat(store(false).read("b1", 0, 100).lines()).hasSize(2);
    }

    @Test
    void prunedLogs_areReadFromTheArchive() {
        JdbcBuildLogStore store = store(true);
        store.append("b1", 1, 1, lines("one", "two words here", "three"));
        store.finish("b1", "success");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM build_log_lines").query(Long.class).single()).isZero();
        LogPage page = store(true).read("b1", 1, 100);
        assertThat(texts(page)).containsExactly("two words here", "three");
        assertThat(page.lines().getFirst().cursor()).isEqualTo(2);
        assertThat(page.done()).isTrue();
    }

    @Test
    void readsPage_fromMemoryAndFromTheDatabase_alike() {
        JdbcBuildLogStore store = store(false);
        store.append("b1", 1, 1, IntStream.rangeClosed(1, 120).mapToObj(i -> new LogLine(T, "warn", "fetch", "l" + i)).toList());
        LogPage recent = store.read("b1", 100, 5); // the last 50 are in memory
        LogPage old = store(false).read("b1", 100, 5);
        assertThat(recent).isEqualTo(old);
        assertThat(store.read("b1", 10, 5)).isEqualTo(store(false).read("b1", 10, 5)); // before the memory's first line
        assertThat(recent.next()).isEqualTo(105);
    }

    @Test
    void badInput_isRefused() {
        JdbcBuildLogStore store = store(false);
        assertThatThrownBy(() -> store.append("../x", 1, 1, lines("a"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.append("b1", 1, 1, List.of(new LogLine(T, "debug", "build", "a"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.append("b1", 1, 1, List.of(new LogLine(T, "info", "deploy", "a"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.finish("b1", "done")).isInstanceOf(IllegalArgumentException.class);
        store.append("b1", 1, 1, lines("multi\nline\0"));
        assertThat(texts(store.read("b1", 0, 10))).containsExactly("multi line\uFFFD");
    }
}
