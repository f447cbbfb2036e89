package dev.traceflow.builds.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.traceflow.access.AppScope;
import dev.traceflow.builds.internal.run.RecordingLogSink;
import dev.traceflow.http.ApiException;
import dev.traceflow.support.TestClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.node.JsonNodeFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.traceflow.builds.internal.Rows.time;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The build queue's guarantees, written once and run on H2 ({@link BuildQueueTest}) and on the
 * machine's PostgreSQL ({@code PostgresBuildQueueIT}): racing claimers never take one build twice,
 * a lost lease is re-queued and the old attempt's writes are refused, attempts run out, and the
 * per-project and overall limits hold; the builds list narrows to an app and reads a page's stages at once; the
 * kept count of queued builds (spread over a project's slots, carried over from its one row per project) follows
 * every way in and out of the queue, and the capacity check that reads it refuses triggers beyond
 * {@code build.queueCapacity} (racing triggers pass it by fewer than their number).
 */
abstract class BuildQueueContract {

    static final Duration LEASE = Duration.ofSeconds(30);

    QueueDatabase database;
    HikariDataSource dataSource;
    JdbcClient jdbc;
    JdbcBuilds builds;
    TestClock clock;
    RecordingLogSink logs;
    String app;

    /**
     * A fresh, empty, migrated database (or schema) for one test.
     *
     * @param migratedTo the last migration to run ({@code "22"}), or null for all of them
     */
    abstract QueueDatabase newDatabase(String migratedTo) throws Exception;

    @BeforeEach
    void migrate() throws Exception {
        database = newDatabase(null);
        dataSource = database.dataSource;
        jdbc = JdbcClient.create(dataSource);
        builds = new JdbcBuilds(jdbc);
        clock = new TestClock();
        clock.hold();
        logs = new RecordingLogSink();
        app = "queueapp";
        jdbc.sql("INSERT INTO apps (id, name, retention_days, created_at) VALUES (?, ?, 30, ?)").params(app, app, time(Instant.now()))
                .update();
        jdbc.sql("INSERT INTO build_templates (id, name, deploy_type, created_at, updated_at) VALUES ('t1', 't1', 'static', ?, ?)")
                .params(time(Instant.now()), time(Instant.now())).update();
    }

    @AfterEach
    void close() throws Exception {
        database.close();
    }

    BuildQueue queue(int maxRunningPerProject, int maxAttempts) {
        return queue(maxRunningPerProject, maxAttempts, 0);
    }

    BuildQueue queue(int maxRunningPerProject, int maxAttempts, int maxRunning) {
        return new BuildQueue(builds, tx(), clock, settings(maxRunningPerProject, maxAttempts, maxRunning), logs, new SimpleMeterRegistry());
    }

    static BuildQueueProperties settings(int maxRunningPerProject, int maxAttempts, int maxRunning) {
        return new BuildQueueProperties(LEASE, Duration.ofSeconds(10), Duration.ofSeconds(5), maxAttempts, maxRunningPerProject, maxRunning,
                0, Duration.ofMillis(100), Duration.ofSeconds(5), null, null, DataSize.ofMegabytes(10), DataSize.ofMegabytes(1), 16,
                Duration.ofMinutes(5), "");
    }

    TransactionTemplate tx() {
        return new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    BuildTriggers triggers(int queueCapacity) {
        BuildSettings platform = new BuildSettings(jdbc, clock);
        tx().executeWithoutResult(t -> platform.set(BuildSettings.definition("build.queueCapacity").orElseThrow(),
                JsonNodeFactory.instance.numberNode(queueCapacity)));
        return new BuildTriggers(builds, new QueueAdmission(jdbc), settings(2, 3, 0), clock, new IdlePolling());
    }

    /** A trigger's database work (BuildTriggers.queue) in a transaction of its own, as the controller runs it. */
    Build trigger(BuildTriggers triggers, String projectId) {
        String hash = UUID.randomUUID().toString().replace("-", "").repeat(2);
        return tx().execute(t -> triggers.queue(new QueueAdmission(jdbc).of(projectId, hash), projectId, "c1", app, "build", null, hash,
                "[]", "{}", new Build.Trigger("u", "alice", null)));
    }

    static void assertQueueFull(Runnable trigger) {
        assertThatThrownBy(trigger::run).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status().value()).isEqualTo(429);
            assertThat(e.code()).isEqualTo("QUEUE_FULL");
        });
    }

    boolean cancel(String buildId) {
        return Boolean.TRUE.equals(tx().execute(t -> builds.cancelQueued(buildId, clock.instant())));
    }

    void assertKeptCountIsTheQueue() {
        assertThat(builds.queuedBuilds()).isEqualTo(builds.count(Build.QUEUED));
    }

    String project() {
        String id = UUID.randomUUID().toString();
        jdbc.sql("INSERT INTO build_projects (id, app_id, name, template_id, owner_id, created_at, updated_at) VALUES (?, ?, ?, 't1', 'u', ?, ?)")
                .params(id, app, id, time(Instant.now()), time(Instant.now())).update();
        return id;
    }

    String queued(String projectId, int maxAttempts) {
        String id = UUID.randomUUID().toString();
        String hash = (id.replace("-", "") + id.replace("-", "")).substring(0, 64);
        builds.insert(new Build(id, projectId, "c1", app, Build.QUEUED, "build", null, hash, "[]",
                "{\"sources\":[{\"ref\":\"v1.0.0\"}]}", 0, maxAttempts, null, null, false, new Build.Trigger("u", "alice", null), clock.instant(), null, null, null, null,
                null, null, null, null, null));
        return id;
    }

    @Test
    void aQueuedBuild_wakesIdleWorkers_whenItsTransactionCommits() {
        IdlePolling idle = new IdlePolling();
        BuildTriggers triggers = new BuildTriggers(builds, new QueueAdmission(jdbc), settings(2, 3, 0), clock, idle);
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        String project = project();
        long mark = idle.mark();
        tx.executeWithoutResult(t -> {
            triggers.queue(new QueueAdmission(jdbc).of(project, "a".repeat(64)), project, "c1", app, "build", null, "a".repeat(64), "[]",
                    "{}", new Build.Trigger("u", "alice", null));
            assertThat(idle.mark()).as("not before the loops it wakes can see the build").isEqualTo(mark);
        });
        assertThat(idle.mark()).isEqualTo(mark + 1);

        assertThatThrownBy(() -> tx.executeWithoutResult(t -> {
            triggers.queue(new QueueAdmission(jdbc).of(project, "b".repeat(64)), project, "c1", app, "build", null, "b".repeat(64), "[]",
                    "{}", new Build.Trigger("u", "alice", null));
            throw new IllegalStateException("rolled back");
        })).hasMessage("rolled back");
        assertThat(idle.mark()).as("a rolled-back build wakes no one").isEqualTo(mark + 1);
    }

    @Test
    void racingClaimers_neverTakeOneBuildTwice() throws Exception {
        BuildQueue queue = queue(1000, 3);
        List<String> projects = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            projects.add(project());
        }
        Set<String> all = new HashSet<>();
        for (int i = 0; i < 400; i++) {
            all.add(queued(projects.get(i % projects.size()), 3));
        }
        int claimers = 4;
        List<String> claimed = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(claimers);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < claimers; c++) {
            String owner = "claimer-" + c;
            done.add(pool.submit(() -> {
                start.await();
                for (Optional<Build.Claim> claim = queue.claim(owner); claim.isPresent() || builds.count(Build.QUEUED) > 0;
                     claim = queue.claim(owner)) {
                    if (claim.isPresent()) {
                        claimed.add(claim.get().build().id());
                        assertThat(claim.get().attempt()).isEqualTo(1);
                        queue.finish(claim.get(), Build.SUCCESS, null, null, "r");
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        assertThat(claimed).hasSize(all.size()).doesNotHaveDuplicates();
        assertThat(new HashSet<>(claimed)).isEqualTo(all);
        assertThat(builds.count(Build.SUCCESS)).isEqualTo(all.size());
    }

    @Test
    void aLostLease_isRequeuedAndTakenOver_andTheOldAttemptsWritesAreRefused() {
        BuildQueue queue = queue(2, 3);
        String id = queued(project(), 3);
        Build.Claim first = queue.claim("worker-a").orElseThrow();
        assertThat(first.attempt()).isEqualTo(1);
        queue.stageStarted(id, 1, "fetch");
        clock.advance(Duration.ofSeconds(20));
        assertThat(queue.heartbeat(id, 1)).isFalse();
        clock.advance(Duration.ofSeconds(20));
        assertThat(queue.reap(clock.instant())).isZero(); // renewed 20 s ago: 10 s of lease left
        clock.advance(LEASE);
        assertThat(queue.reap(clock.instant())).isEqualTo(1);
        assertThat(builds.find(id).orElseThrow().status()).isEqualTo(Build.QUEUED);

        Build.Claim second = queue.claim("worker-b").orElseThrow();
        assertThat(second.attempt()).isEqualTo(2);
        assertThat(builds.stages(id)).extracting(Build.Stage::status).containsOnly("pending");
        assertThatThrownBy(() -> queue.heartbeat(id, 1)).isInstanceOf(JdbcBuilds.LeaseLost.class);
        assertThatThrownBy(() -> queue.stageStarted(id, 1, "build")).isInstanceOf(JdbcBuilds.LeaseLost.class);
        assertThatThrownBy(() -> builds.artifact(id, 1, "local:x", "0".repeat(64), 1)).isInstanceOf(JdbcBuilds.LeaseLost.class);
        assertThatThrownBy(() -> queue.finish(first, Build.SUCCESS, null, null, "r")).isInstanceOf(JdbcBuilds.LeaseLost.class);
        assertThat(builds.find(id).orElseThrow().status()).isEqualTo(Build.RUNNING);
        assertThat(logs.finishedAs(id)).isNull();

        queue.finish(second, Build.SUCCESS, null, null, "v1+build.1");
        Build b = builds.find(id).orElseThrow();
        assertThat(b.status()).isEqualTo(Build.SUCCESS);
        assertThat(b.attempt()).isEqualTo(2);
        assertThat(b.releaseName()).isEqualTo("v1+build.1");
        assertThat(logs.finishedAs(id)).isEqualTo(Build.SUCCESS);
    }

    @Test
    void aBuildWhoseWorkersKeepDying_failsWithLeaseLost_afterItsLastAttempt() {
        BuildQueue queue = queue(2, 2);
        String id = queued(project(), 2);
        for (int attempt = 1; attempt <= 2; attempt++) {
            assertThat(queue.claim("worker-" + attempt).orElseThrow().attempt()).isEqualTo(attempt);
            clock.advance(LEASE.plusSeconds(1));
            assertThat(queue.reap(clock.instant())).isEqualTo(1);
        }
        Build b = builds.find(id).orElseThrow();
        assertThat(b.status()).isEqualTo(Build.FAIL);
        assertThat(b.failureReason()).isEqualTo("lease_lost");
        assertThat(queue.claim("worker-3")).isEmpty();
        assertThat(builds.activeWithSnapshot(b.projectId(), b.snapshotHash())).isEmpty();
    }

    @Test
    void aClaimer_passesOverBuildsAnotherTransactionHolds_insteadOfWaitingForItsCommit() throws Exception {
        BuildQueue queue = queue(1000, 3);
        String project = project();
        List<String> held = new ArrayList<>();
        for (int i = 0; i < 12; i++) { // more than the head claimers choose from: without SKIP LOCKED the first pick waits
            held.add(queued(project, 3));
            clock.advance(Duration.ofSeconds(1));
        }
        String free = queued(project, 3);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (Connection holder = dataSource.getConnection()) {
            holder.setAutoCommit(false);
            // what other claimers taking them hold until they commit
            try (PreparedStatement lock = holder.prepareStatement("SELECT id FROM builds WHERE id IN ("
                    + String.join(", ", Collections.nCopies(held.size(), "?")) + ") FOR UPDATE")) {
                for (int i = 0; i < held.size(); i++) {
                    lock.setString(i + 1, held.get(i));
                }
                try (ResultSet rows = lock.executeQuery()) {
                    while (rows.next()) {
                        assertThat(held).contains(rows.getString(1));
                    }
                }
            }
            Future<Optional<Build.Claim>> claim = pool.submit(() -> queue.claim("w1"));
            assertThat(claim.get(5, TimeUnit.SECONDS)).map(c -> c.build().id()).contains(free);
            holder.rollback();
        } finally {
            pool.shutdownNow();
        }
        assertThat(queue.claim("w2")).map(c -> c.build().id()).hasValueSatisfying(id -> assertThat(held).contains(id));
        assertKeptCountIsTheQueue();
    }

    @Test
    void theProjectLimit_keepsAProjectsSecondBuildQueued_whileOtherProjectsRun() {
        BuildQueue queue = queue(1, 3);
        String busy = project();
        String a = queued(busy, 3);
        clock.advance(Duration.ofSeconds(1));
        String b = queued(busy, 3);
        clock.advance(Duration.ofSeconds(1));
        String other = queued(project(), 3);
        Set<String> taken = new HashSet<>();
        queue.claim("w1").ifPresent(c -> taken.add(c.build().id()));
        queue.claim("w2").ifPresent(c -> taken.add(c.build().id()));
        assertThat(queue.claim("w3")).isEmpty();
        assertThat(taken).hasSize(2).contains(other).containsAnyOf(a, b);
        assertThat(queue.status()).containsEntry("queued", 1L).containsEntry("running", 2L);
    }

    @Test
    void theOverallLimit_holdsForRacingClaimersAcrossProjects_andAFinishedBuildFreesItsPlace() throws Exception {
        BuildQueue queue = queue(2, 3, 3);
        for (int i = 0; i < 10; i++) {
            String project = project();
            queued(project, 3);
            queued(project, 3);
        }
        int claimers = 8;
        List<Build.Claim> claimed = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(claimers);
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < claimers; c++) {
            String owner = "claimer-" + c;
            done.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < 3; i++) {
                    queue.claim(owner).ifPresent(claimed::add);
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        assertThat(claimed).hasSize(3);
        assertThat(builds.count(Build.RUNNING)).isEqualTo(3);
        assertThat(queue.claim("late")).isEmpty();

        queue.finish(claimed.get(0), Build.SUCCESS, null, null, "r");
        assertThat(queue.claim("next")).isPresent();
        assertThat(queue.claim("one-too-many")).isEmpty();
        assertThat(builds.count(Build.RUNNING)).isEqualTo(3);
        assertThat(builds.count(Build.QUEUED)).isEqualTo(16);
    }

    @Test
    void theList_narrowsToAnApp_andItsPagesStagesComeInOneQuery_inStepOrder() {
        String first = queued(project(), 3);
        clock.advance(Duration.ofSeconds(1));
        String second = queued(project(), 3);
        jdbc.sql("INSERT INTO apps (id, name, retention_days, created_at) VALUES ('otherapp', 'otherapp', 30, ?)").param(time(Instant.now()))
                .update();
        app = "otherapp";
        clock.advance(Duration.ofSeconds(1));
        String elsewhere = queued(project(), 3);
        BuildQueue queue = queue(2, 3);
        Build.Claim running = queue.claim("w").orElseThrow();
        queue.stageStarted(running.build().id(), running.attempt(), "fetch");

        assertThat(builds.list(AppScope.all(), "queueapp", null, null, 0, 10)).extracting(Build::id).containsExactly(second, first);
        assertThat(builds.list(AppScope.of(Set.of("queueapp")), "otherapp", null, null, 0, 10)).isEmpty();
        assertThat(builds.list(AppScope.all(), null, null, null, 0, 10)).extracting(Build::id).containsExactly(elsewhere, second, first);
        assertThat(builds.find(first).orElseThrow().triggeredBy()).isEqualTo(new Build.Trigger("u", "alice", null));

        Map<String, List<Build.Stage>> stages = builds.stagesOf(List.of(first, second, elsewhere, "no-such-build"));
        assertThat(stages).containsOnlyKeys(first, second, elsewhere);
        stages.values().forEach(list -> assertThat(list).extracting(Build.Stage::name).containsExactlyElementsOf(Build.STAGES));
        assertThat(stages.get(running.build().id()).getFirst().status()).isEqualTo("running");
        assertThat(stages.get(running.build().id()).getFirst().startedAt()).isNotNull();
        assertThat(builds.stagesOf(List.of())).isEmpty();
    }

    @Test
    void aQueuedBuildCanceled_isNeverClaimed_andFreesItsSnapshot() {
        BuildQueue queue = queue(2, 3);
        String id = queued(project(), 3);
        Build b = builds.find(id).orElseThrow();
        assertThat(builds.activeWithSnapshot(b.projectId(), b.snapshotHash())).contains(id);
        assertThat(builds.cancelQueued(id, clock.instant())).isTrue();
        assertThat(queue.claim("w")).isEmpty();
        assertThat(builds.activeWithSnapshot(b.projectId(), b.snapshotHash())).isEmpty();
        assertThat(builds.cancelQueued(id, clock.instant())).isFalse();
    }

    @Test
    void theKeptQueuedCount_followsEveryWayIntoAndOutOfTheQueue() {
        BuildQueue queue = queue(10, 3);
        String a = project();
        String b = project();
        for (int i = 0; i < 3; i++) {
            queued(a, 3);
            queued(b, 3);
        }
        assertThat(builds.queuedBuilds()).isEqualTo(6);
        assertKeptCountIsTheQueue();

        Build.Claim finished = queue.claim("w1").orElseThrow();
        assertThat(builds.queuedBuilds()).isEqualTo(5);
        queue.finish(finished, Build.SUCCESS, null, null, "r");
        assertKeptCountIsTheQueue();
        String lastChance = queued(b, 1);

        // leases that run out: re-queued (back in the count), or failed after the last attempt (not)
        List<Build.Claim> lost = new ArrayList<>();
        for (Optional<Build.Claim> c = queue.claim("w2"); c.isPresent(); c = queue.claim("w2")) {
            lost.add(c.get());
        }
        assertThat(lost).hasSize(6);
        assertThat(builds.queuedBuilds()).isZero();
        clock.advance(LEASE.plusSeconds(1));
        assertThat(queue.reap(clock.instant())).isEqualTo(6);
        assertThat(builds.find(lastChance).orElseThrow().status()).isEqualTo(Build.FAIL);
        assertThat(builds.queuedBuilds()).isEqualTo(5);
        assertKeptCountIsTheQueue();

        String canceled = builds.queued(10).stream().filter(c -> c.projectId().equals(a)).findFirst().orElseThrow().id();
        assertThat(cancel(canceled)).isTrue();
        assertThat(cancel(canceled)).isFalse();
        assertThat(builds.queuedBuilds()).isEqualTo(4);
        assertKeptCountIsTheQueue();

        // a deleted project's builds go, and its count with them; so do an app's
        jdbc.sql("DELETE FROM build_projects WHERE id = ?").param(b).update();
        assertKeptCountIsTheQueue();
        assertThat(builds.queuedBuilds()).isPositive();
        jdbc.sql("DELETE FROM apps WHERE id = ?").param(app).update();
        assertThat(builds.queuedBuilds()).isZero();
        assertKeptCountIsTheQueue();
    }

    /** The project's slots of the kept count, in slot order: {@code [slot, queued]}. */
    List<List<Long>> slots(String projectId) {
        return jdbc.sql("SELECT slot, queued FROM build_queue_counts WHERE project_id = ? ORDER BY slot").param(projectId)
                .query((rs, n) -> List.of(rs.getLong("slot"), rs.getLong("queued"))).list();
    }

    @Test
    void aBusyProjectsCount_isSpreadOverItsSlots_whoseSumIsTheQueue() {
        BuildQueue queue = queue(10, 3);
        BuildTriggers triggers = triggers(1000);
        String project = project();
        for (int i = 0; i < 64; i++) {
            trigger(triggers, project);
        }
        assertThat(slots(project)).hasSize(JdbcQueueCounts.SLOTS);
        // one row would have every trigger of the project wait for the previous one's commit
        assertThat(slots(project).stream().filter(s -> s.get(1) != 0)).as("slots moved").hasSizeGreaterThan(1);
        assertThat(builds.queuedBuilds()).isEqualTo(64);

        for (int i = 0; i < 10; i++) {
            queue.claim("w" + i).orElseThrow();
        }
        assertThat(builds.queuedBuilds()).isEqualTo(54);
        assertThat(slots(project).stream().mapToLong(s -> s.get(1)).sum()).isEqualTo(54);
        assertKeptCountIsTheQueue();
    }

    @Test
    void aProjectMadeWithoutItsSlots_getsThemAtItsFirstChange_countedFromItsBuilds() {
        String project = project(); // its rows inserted directly, as before the kept count
        for (int i = 0; i < 2; i++) {
            String hash = UUID.randomUUID().toString().replace("-", "").repeat(2);
            jdbc.sql("INSERT INTO builds (id, project_id, config_id, app_id, status, kind, snapshot_hash, active_snapshot, resolved_versions, "
                    + "inputs, attempt, max_attempts, cancel_requested, queued_at) VALUES (?, ?, 'c1', ?, 'queued', 'build', ?, ?, '[]', '{}', 0, "
                    + "3, FALSE, ?)").params(UUID.randomUUID().toString(), project, app, hash, hash, time(clock.instant())).update();
        }
        assertThat(slots(project)).isEmpty();

        trigger(triggers(100), project);
        assertThat(slots(project)).hasSize(JdbcQueueCounts.SLOTS);
        assertThat(builds.queuedBuilds()).isEqualTo(3);
        assertKeptCountIsTheQueue();
    }

    @Test
    void aCountKeptBeforeTheSlots_isCarriedIntoTheProjectsFirstSlot() throws Exception {
        try (QueueDatabase before = newDatabase("22")) {
            JdbcClient old = JdbcClient.create(before.dataSource);
            old.sql("INSERT INTO apps (id, name, retention_days, created_at) VALUES (?, ?, 30, ?)").params(app, app, time(Instant.now()))
                    .update();
            old.sql("INSERT INTO build_templates (id, name, deploy_type, created_at, updated_at) VALUES ('t1', 't1', 'static', ?, ?)")
                    .params(time(Instant.now()), time(Instant.now())).update();
            for (String project : List.of("p1", "p2")) {
                old.sql("INSERT INTO build_projects (id, app_id, name, template_id, owner_id, created_at, updated_at) "
                        + "VALUES (?, ?, ?, 't1', 'u', ?, ?)").params(project, app, project, time(Instant.now()), time(Instant.now())).update();
            }
            old.sql("INSERT INTO build_queue_counts (project_id, queued) VALUES ('p1', 3), ('p2', 0)").update();

            before.migrate();

            List<List<Long>> p1 = old.sql("SELECT slot, queued FROM build_queue_counts WHERE project_id = 'p1' ORDER BY slot")
                    .query((rs, n) -> List.of(rs.getLong("slot"), rs.getLong("queued"))).list();
            assertThat(p1).hasSize(JdbcQueueCounts.SLOTS);
            assertThat(p1.getFirst()).containsExactly(0L, 3L);
            assertThat(p1.subList(1, p1.size())).allSatisfy(slot -> assertThat(slot.get(1)).isZero());
            assertThat(new JdbcBuilds(old).queuedBuilds()).isEqualTo(3);
            old.sql("DELETE FROM build_projects WHERE id = 'p1'").update();
            assertThat(new JdbcBuilds(old).queuedBuilds()).as("the slots go with their project").isZero();
        }
    }

    @Test
    void theQueueCapacity_refusesTriggersBeyondIt_untilAClaimOrACancelMakesRoom() {
        BuildQueue queue = queue(10, 3);
        BuildTriggers triggers = triggers(2);
        String project = project();
        trigger(triggers, project);
        trigger(triggers, project);
        assertQueueFull(() -> trigger(triggers, project()));

        queue.claim("w").orElseThrow();
        Build third = trigger(triggers, project);
        assertQueueFull(() -> trigger(triggers, project));

        assertThat(cancel(third.id())).isTrue();
        trigger(triggers, project);
        assertQueueFull(() -> trigger(triggers, project));
        assertKeptCountIsTheQueue();
    }

    @Test
    void racingTriggers_passTheCapacityByFewerThanTheirNumber_andTheNextIsRefused() throws Exception {
        int capacity = 20;
        int racers = 8; // the pool's connections: at most this many triggers are in flight at once
        BuildTriggers triggers = triggers(capacity);
        List<String> projects = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            projects.add(project());
        }
        AtomicInteger accepted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        List<Future<?>> done = new ArrayList<>();
        for (String project : projects) {
            done.add(pool.submit(() -> {
                start.await();
                try {
                    for (int i = 0; i < capacity; i++) {
                        trigger(triggers, project);
                        accepted.incrementAndGet();
                    }
                } catch (ApiException full) {
                    assertThat(full.code()).isEqualTo("QUEUE_FULL");
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        // each accepted trigger saw fewer than capacity committed; only the others in flight then were unseen
        assertThat(accepted.get()).isBetween(capacity, capacity + racers - 1);
        assertThat(builds.count(Build.QUEUED)).isEqualTo(accepted.get());
        assertKeptCountIsTheQueue();
        assertQueueFull(() -> trigger(triggers, projects.getFirst()));
    }
}
