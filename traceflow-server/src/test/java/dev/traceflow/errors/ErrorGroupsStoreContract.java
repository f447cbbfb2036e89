package dev.traceflow.errors;

import dev.traceflow.storage.EventsStored.ErrorGroupSeen;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The error groups table on a metadata database: the migration runs, loads create and widen
 * groups, a resolved group regresses, and writers racing on one new group make one row.
 */
abstract class ErrorGroupsStoreContract {

    static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

    JdbcErrorGroups groups;
    JdbcClient jdbc;

    /** A database of this test's own, empty. */
    abstract DataSource dataSource();

    /** Where Flyway finds the shared and this database's own migrations. */
    abstract String vendor();

    @BeforeEach
    void migrate() {
        DataSource ds = dataSource();
        Flyway.configure().dataSource(ds).locations("classpath:db/migration", "classpath:db/vendor/" + vendor()).load().migrate();
        jdbc = JdbcClient.create(ds);
        groups = new JdbcErrorGroups(jdbc, new TransactionTemplate(new DataSourceTransactionManager(ds)));
        jdbc.sql("INSERT INTO apps (id, name, retention_days, created_at) VALUES ('app', 'App', 30, CURRENT_TIMESTAMP)").update();
    }

    private static ErrorGroupSeen seen(String fingerprint, int firstSecond, int lastSecond, long count, String type, String message) {
        return new ErrorGroupSeen(fingerprint, T.plusSeconds(firstSecond), T.plusSeconds(lastSecond), count, type, message);
    }

    @Test
    void aNewFingerprint_becomesAnUnresolvedGroup() {
        JdbcErrorGroups.Changes changes = groups.record("app", List.of(seen("fp1", 0, 5, 3, null, "boom")), T.plusSeconds(10));

        ErrorGroup g = groups.find("app", "fp1").orElseThrow();
        assertThat(changes.created()).containsExactly(g);
        assertThat(g.status()).isEqualTo(ErrorStatus.UNRESOLVED);
        assertThat(g.type()).isEqualTo("Error");
        assertThat(g.message()).isEqualTo("boom");
        assertThat(g.firstSeen()).isEqualTo(T);
        assertThat(g.lastSeen()).isEqualTo(T.plusSeconds(5));
        assertThat(g.timesSeen()).isEqualTo(3);
        assertThat(g.regressions()).isZero();
        assertThat(g.lastRegressedAt()).isNull();
    }

    @Test
    void laterLoads_widenTheTimes_addTheCount_andTakeTypeAndMessageOnlyFromANewerLatestEvent() {
        groups.record("app", List.of(seen("fp2", 10, 20, 1, "TypeError", "newest")), T);
        groups.record("app", List.of(seen("fp2", 5, 15, 2, "RangeError", "older")), T);

        ErrorGroup g = groups.find("app", "fp2").orElseThrow();
        assertThat(g.firstSeen()).isEqualTo(T.plusSeconds(5));
        assertThat(g.lastSeen()).isEqualTo(T.plusSeconds(20));
        assertThat(g.timesSeen()).isEqualTo(3);
        assertThat(g.type()).isEqualTo("TypeError");
        assertThat(g.message()).isEqualTo("newest");

        groups.record("app", List.of(seen("fp2", 30, 30, 1, "SyntaxError", "x".repeat(3000))), T);
        ErrorGroup after = groups.find("app", "fp2").orElseThrow();
        assertThat(after.type()).isEqualTo("SyntaxError");
        assertThat(after.message()).hasSize(JdbcErrorGroups.MAX_MESSAGE_LENGTH);
    }

    @Test
    void aResolvedGroupWithANewEvent_isUnresolvedAgain_andTheRegressionIsRecorded() {
        groups.record("app", List.of(seen("fp3", 0, 0, 1, "TypeError", "boom")), T);
        long id = groups.find("app", "fp3").orElseThrow().id();
        JdbcErrorGroups.StatusChange resolved = new TransactionTemplate(new DataSourceTransactionManager(dataSource()))
                .execute(t -> groups.setStatus(id, ErrorStatus.RESOLVED, T.plusSeconds(60)).orElseThrow());
        assertThat(resolved.before().status()).isEqualTo(ErrorStatus.UNRESOLVED);
        assertThat(resolved.after().status()).isEqualTo(ErrorStatus.RESOLVED);

        JdbcErrorGroups.Changes changes = groups.record("app", List.of(seen("fp3", 100, 100, 1, "TypeError", "boom")),
                T.plusSeconds(101));
        JdbcErrorGroups.Changes again = groups.record("app", List.of(seen("fp3", 110, 110, 1, "TypeError", "boom")),
                T.plusSeconds(111));

        ErrorGroup g = groups.find(id).orElseThrow();
        assertThat(changes.regressed()).extracting(ErrorGroup::id).containsExactly(id);
        assertThat(again.regressed()).as("unresolved already: no second regression").isEmpty();
        assertThat(g.status()).isEqualTo(ErrorStatus.UNRESOLVED);
        assertThat(g.regressions()).isEqualTo(1);
        assertThat(g.lastRegressedAt()).isEqualTo(T.plusSeconds(101));
        assertThat(g.timesSeen()).isEqualTo(3);
    }

    @Test
    void anIgnoredGroup_staysIgnored() {
        groups.record("app", List.of(seen("fp4", 0, 0, 1, null, null)), T);
        long id = groups.find("app", "fp4").orElseThrow().id();
        groups.setStatus(id, ErrorStatus.IGNORED, T);

        groups.record("app", List.of(seen("fp4", 5, 5, 1, null, null)), T);

        assertThat(groups.find(id).orElseThrow().status()).isEqualTo(ErrorStatus.IGNORED);
        assertThat(groups.find(id).orElseThrow().regressions()).isZero();
    }

    @Test
    void ofApp_filtersByStatus_andAnUnknownAppIsRefused() {
        groups.record("app", List.of(seen("fp5", 0, 0, 1, null, null), seen("fp6", 0, 0, 1, null, null)), T);
        groups.setStatus(groups.find("app", "fp6").orElseThrow().id(), ErrorStatus.RESOLVED, T);

        assertThat(groups.ofApp("app", null)).extracting(ErrorGroup::fingerprint).containsExactlyInAnyOrder("fp5", "fp6");
        assertThat(groups.ofApp("app", ErrorStatus.RESOLVED)).extracting(ErrorGroup::fingerprint).containsExactly("fp6");
        assertThatThrownBy(() -> groups.record("no-such-app", List.of(seen("fp7", 0, 0, 1, null, null)), T))
                .isInstanceOf(DataIntegrityViolationException.class);
    }

    @Test
    void writersRacingOnOneNewGroup_makeOneRowWithEveryEventCounted() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                done.add(pool.submit(() -> groups.record("app", List.of(seen("race", 0, 0, 1, null, null)), T)));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(groups.ofApp("app", null)).singleElement().satisfies(g -> assertThat(g.timesSeen()).isEqualTo(8));
    }
}
