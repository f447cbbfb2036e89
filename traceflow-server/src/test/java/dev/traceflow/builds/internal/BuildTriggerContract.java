package dev.traceflow.builds.internal;

import dev.traceflow.http.ApiException;
import dev.traceflow.support.StatementRecorder;
import dev.traceflow.support.TestClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static dev.traceflow.builds.internal.Rows.time;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

/**
 * A trigger's database work, written once and run on H2 ({@link BuildTriggerTest}) and on the machine's
 * PostgreSQL ({@code PostgresBuildTriggerIT}): the round trips it costs (counted on the connection), what each of
 * its reads answers, and what it freezes into the build; the 422s of a config that cannot be built, the 409
 * of two triggers of one snapshot racing past the admission, and that triggers of one project wait for each other's
 * commit only when their queue counts land in the same slot.
 */
abstract class BuildTriggerContract {

    static final Build.Trigger ALICE = new Build.Trigger("u", "alice", null);

    QueueDatabase database;
    StatementRecorder recorder;
    JdbcClient jdbc;
    TransactionTemplate tx;
    TestClock clock;
    JdbcProjects projects;
    JdbcTemplates templates;
    JdbcGitSources sources;
    JdbcBuilds builds;
    TriggerRead reads;
    String app = "triggerapp";
    Template template;
    GitSource source;

    abstract QueueDatabase newDatabase() throws Exception;

    @BeforeEach
    void fixture() throws Exception {
        database = newDatabase();
        recorder = new StatementRecorder(database.dataSource);
        jdbc = JdbcClient.create(recorder.dataSource());
        tx = new TransactionTemplate(new DataSourceTransactionManager(recorder.dataSource()));
        clock = new TestClock();
        projects = new JdbcProjects(jdbc);
        templates = new JdbcTemplates(jdbc);
        sources = new JdbcGitSources(jdbc);
        builds = new JdbcBuilds(jdbc);
        reads = new TriggerRead(jdbc);
        jdbc.sql("INSERT INTO apps (id, name, retention_days, created_at) VALUES (?, ?, 30, ?)").params(app, app, time(Instant.now()))
                .update();
        template = template("web");
        source = boundSource(template, "webshop", 0);
    }

    @AfterEach
    void close() throws Exception {
        database.close();
    }

    BuildTriggers triggers(QueueAdmission admission) {
        return triggers(builds, admission);
    }

    BuildTriggers triggers(JdbcBuilds writer, QueueAdmission admission) {
        return new BuildTriggers(writer, admission, BuildQueueContract.settings(2, 3, 0), clock, new IdlePolling());
    }

    /** Triggers whose kept count moves the project's slot {@code slot} (see {@link JdbcQueueCounts}), not a random one. */
    BuildTriggers countingIn(int slot) {
        return triggers(new JdbcBuilds(jdbc, new JdbcQueueCounts(jdbc, () -> slot)), new QueueAdmission(jdbc));
    }

    Template template(String name) {
        Template t = new Template(UUID.randomUUID().toString(), name, "static", null, clock.instant(), clock.instant());
        templates.insert(t);
        return t;
    }

    GitSource boundSource(Template to, String name, int buildOrder) {
        GitSource s = new GitSource(UUID.randomUUID().toString(), name, "https://git.example/" + name + ".git", "main", null, null, null,
                clock.instant(), clock.instant());
        sources.insert(s);
        templates.upsert(new Template.Binding(UUID.randomUUID().toString(), to.id(), s.id(),
                VersionStrategy.parse(CanonicalJson.JSON.readTree("{\"type\": \"latest-stable\"}")), buildOrder, List.of(),
                BuildSpec.parse(CanonicalJson.JSON.readTree("{\"command\": [\"make\", \"" + name + "\"], \"artifacts\": [\"dist\"]}"))));
        return s;
    }

    Project project(Template of) {
        Project p = new Project(UUID.randomUUID().toString(), app, "shop-" + UUID.randomUUID(), "acme", "prod", of.id(), "u", clock.instant(),
                clock.instant());
        projects.insert(p);
        return p;
    }

    /** A config of the project validated against {@code validatedFor}, its commits resolved for {@code resolved}. */
    ConfigInstance config(Project of, Template validatedFor, boolean validated, GitSource... resolved) {
        StringBuilder versions = new StringBuilder("[");
        for (GitSource s : resolved) {
            versions.append(versions.length() > 1 ? ", " : "").append("{\"gitSourceId\": \"").append(s.id())
                    .append("\", \"ref\": \"v1.0.0\", \"commit\": \"").append("c".repeat(40)).append("\"}");
        }
        String hash = UUID.randomUUID().toString().replace("-", "").repeat(2);
        ConfigInstance c = new ConfigInstance(UUID.randomUUID().toString(), of.id(), validatedFor.id(), "prod", "{\"apiUrl\": \"https://x\"}",
                "[]", "[]", hash, validated, validated ? hash : null, validated ? versions.append("]").toString() : null, clock.instant(),
                clock.instant());
        projects.insert(c);
        return c;
    }

    /** The controller's trigger without its role check and audit row: the trigger's read, then the trigger. */
    Build trigger(BuildTriggers triggers, String projectId, String configId) {
        return tx.execute(t -> triggers.trigger(reads.find(projectId, configId).orElseThrow(), ALICE));
    }

    @Test
    void aTrigger_readsInOneStatement_writesInThree_andCommitsOnce() {
        BuildTriggers triggers = triggers(new QueueAdmission(jdbc));
        Project project = project(template);
        ConfigInstance config = config(project, template, true, source);
        recorder.clear();

        Build b = trigger(triggers, project.id(), config.id());

        // with the role check and the audit row around it, a POST /builds is 6 statements and 1 commit
        assertThat(recorder.statements()).satisfiesExactly(
                sql -> assertThat(sql).contains("FROM build_projects p LEFT JOIN config_instances c").contains("LEFT JOIN template_sources ts")
                        .contains("(SELECT id FROM builds WHERE project_id = p.id AND active_snapshot = c.snapshot_hash)"),
                sql -> assertThat(sql).startsWith("INSERT INTO builds "),
                sql -> assertThat(sql).startsWith("INSERT INTO build_stages "),
                sql -> assertThat(sql).startsWith("UPDATE build_queue_counts "));
        assertThat(recorder.commits()).isEqualTo(1);

        Build stored = builds.find(b.id()).orElseThrow();
        assertThat(stored.status()).isEqualTo(Build.QUEUED);
        assertThat(stored.snapshotHash()).isEqualTo(config.snapshotHash());
        JsonNode inputs = CanonicalJson.JSON.readTree(stored.inputs());
        assertThat(inputs.path("templateId").asString()).isEqualTo(template.id());
        assertThat(inputs.path("projectName").asString()).isEqualTo(project.name());
        assertThat(inputs.path("config").path("apiUrl").asString()).isEqualTo("https://x");
        JsonNode frozen = inputs.path("sources").get(0);
        assertThat(frozen.path("gitSourceId").asString()).isEqualTo(source.id());
        assertThat(frozen.path("name").asString()).isEqualTo("webshop");
        assertThat(frozen.path("commit").asString()).isEqualTo("c".repeat(40));
        assertThat(frozen.path("build").path("command").get(1).asString()).isEqualTo("webshop");
        assertThat(builds.stages(b.id())).extracting(Build.Stage::name).containsExactlyElementsOf(Build.STAGES);
        assertThat(builds.queuedBuilds()).isEqualTo(1);
    }

    /**
     * A trigger of the project on {@code thread}, in the transaction it leaves open (counted in {@code slot}, holding
     * that row) until {@code release}; {@code counted} opens once it holds it.
     */
    CompletableFuture<Build> heldOpen(Project project, int slot, CountDownLatch counted, CountDownLatch release, Executor thread) {
        BuildTriggers triggers = countingIn(slot);
        ConfigInstance config = config(project, template, true, source);
        return CompletableFuture.supplyAsync(() -> tx.execute(t -> {
            Build b = triggers.trigger(reads.find(project.id(), config.id()).orElseThrow(), ALICE);
            counted.countDown();
            try {
                assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return b;
        }), thread);
    }

    @Test
    void triggersOfOneProject_countedInOtherSlots_doNotWaitForAnUncommittedOne_whileOneInTheSameSlotDoes() throws Exception {
        Project project = project(template);
        CountDownLatch counted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // threads of its own: the common pool may have a single one, which the open trigger holds
        ExecutorService threads = Executors.newCachedThreadPool();
        try {
            CompletableFuture<Build> open = heldOpen(project, 0, counted, release, threads);
            assertThat(counted.await(30, TimeUnit.SECONDS)).isTrue();

            // the project's other slots are free: these commit while the first trigger still holds slot 0's row
            for (int slot = 1; slot < 4; slot++) {
                ConfigInstance config = config(project, template, true, source);
                BuildTriggers other = countingIn(slot);
                assertThat(CompletableFuture.supplyAsync(() -> trigger(other, project.id(), config.id()), threads).get(10, TimeUnit.SECONDS)
                        .status()).isEqualTo(Build.QUEUED);
            }
            // slot 0 is what one row per project was for every trigger: the next one waits for the first's commit
            ConfigInstance sameSlot = config(project, template, true, source);
            BuildTriggers waiting = countingIn(0);
            CompletableFuture<Build> behind = CompletableFuture.supplyAsync(() -> trigger(waiting, project.id(), sameSlot.id()), threads);
            assertThatThrownBy(() -> behind.get(500, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);

            release.countDown();
            open.get(30, TimeUnit.SECONDS);
            assertThat(behind.get(30, TimeUnit.SECONDS).status()).isEqualTo(Build.QUEUED);
            assertThat(builds.queuedBuilds()).isEqualTo(5);
            assertThat(builds.count(Build.QUEUED)).isEqualTo(5);
        } finally {
            release.countDown();
            threads.shutdown();
        }
    }

    @Test
    void theRead_joinsOnlyTheProjectsOwnConfig() {
        Project project = project(template);
        Project other = project(template);
        ConfigInstance own = config(project, template, true, source);
        ConfigInstance elsewhere = config(other, template, true, source);

        TriggerRead.Found found = reads.find(project.id(), own.id()).orElseThrow();
        assertThat(found.project().id()).isEqualTo(project.id());
        assertThat(found.project().appId()).isEqualTo(app);
        assertThat(found.project().templateId()).isEqualTo(template.id());
        ConfigInstance read = found.config().orElseThrow();
        assertThat(read.id()).isEqualTo(own.id());
        assertThat(read.projectId()).isEqualTo(project.id());
        assertThat(read.validated()).isTrue();
        assertThat(read.snapshotHash()).isEqualTo(own.snapshotHash());
        assertThat(read.resolvedVersions()).isEqualTo(own.resolvedVersions());

        assertThat(reads.find(project.id(), elsewhere.id()).orElseThrow().config()).isEmpty();
        assertThat(reads.find(project.id(), "no-such-config").orElseThrow().config()).isEmpty();
        assertThat(reads.find("no-such-project", own.id())).isEmpty();
    }

    @Test
    void theRead_listsTheTemplatesSourcesInBuildOrder_withTheirNames() {
        GitSource first = boundSource(template, "api", -1);
        Project project = project(template);
        ConfigInstance config = config(project, template, true, source);
        JdbcTemplates.WithSources bound = reads.find(project.id(), config.id()).orElseThrow().template().orElseThrow();
        assertThat(bound.template().id()).isEqualTo(template.id());
        assertThat(bound.template().name()).isEqualTo("web");
        assertThat(bound.sources())
                .extracting(s -> s.binding().gitSourceId(), JdbcTemplates.BoundSource::sourceName)
                .containsExactly(tuple(first.id(), "api"),
                        tuple(source.id(), "webshop"));
        assertThat(bound.sources().getFirst().binding().build().command()).containsExactly("make", "api");
        Template empty = template("empty");
        Project ofEmpty = project(empty);
        TriggerRead.Found noSources = reads.find(ofEmpty.id(), "no-such-config").orElseThrow();
        assertThat(noSources.template().orElseThrow().template().name()).isEqualTo("empty");
        assertThat(noSources.template().orElseThrow().sources()).isEmpty();
    }

    @Test
    void theAdmission_readsTheActiveBuildTheQueueAndTheCapacity_withItsDefault() {
        QueueAdmission admission = new QueueAdmission(jdbc);
        Project project = project(template);
        ConfigInstance config = config(project, template, true, source);
        QueueAdmission.Answer empty = admission.of(project.id(), config.snapshotHash());
        assertThat(reads.find(project.id(), config.id()).orElseThrow().admission()).as("the trigger's read").isEqualTo(empty);
        assertThat(empty.activeBuild()).isEmpty();
        assertThat(empty.queued()).isZero();
        assertThat(empty.capacity()).isEqualTo(100);

        Build b = trigger(triggers(admission), project.id(), config.id());
        BuildSettings settings = new BuildSettings(jdbc, clock);
        tx.executeWithoutResult(t -> settings.set(BuildSettings.definition("build.queueCapacity").orElseThrow(),
                JsonNodeFactory.instance.numberNode(1)));
        QueueAdmission.Answer one = admission.of(project.id(), config.snapshotHash());
        assertThat(one.activeBuild()).contains(b.id());
        assertThat(one.queued()).isEqualTo(1);
        assertThat(one.capacity()).isEqualTo(1);
        assertThat(one.full()).isTrue();
        assertThat(admission.of(project(template).id(), config.snapshotHash()).activeBuild()).as("another project's").isEmpty();
        assertThat(reads.find(project.id(), config.id()).orElseThrow().admission()).as("the trigger's read").isEqualTo(one);
        assertThat(reads.find(project.id(), "no-such-config").orElseThrow().admission().activeBuild()).isEmpty();
    }

    @Test
    void aConfigThatCannotBeBuilt_isRefusedWith422_andQueuesNothing() {
        BuildTriggers triggers = triggers(new QueueAdmission(jdbc));
        Project project = project(template);
        assertUnprocessable(() -> trigger(triggers, project.id(), config(project, template, false).id()), "not validated");

        Template other = template("other");
        assertUnprocessable(() -> trigger(triggers, project.id(), config(project, other, true, source).id()), "template changed");

        GitSource added = boundSource(template, "added", 1);
        assertUnprocessable(() -> trigger(triggers, project.id(), config(project, template, true, source).id()), "sources changed");
        assertThat(builds.count(Build.QUEUED)).isZero();
        assertThat(trigger(triggers, project.id(), config(project, template, true, source, added).id()).status()).isEqualTo(Build.QUEUED);
    }

    static void assertUnprocessable(Runnable trigger, String saying) {
        assertThatThrownBy(trigger::run).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.status().value()).isEqualTo(422);
            assertThat(e.getMessage()).contains(saying);
        });
    }

    @Test
    void twoTriggersOfOneSnapshot_racingPastTheAdmission_queueOne_andTheOtherIsToldWhichWithA409() throws Exception {
        Project project = project(template);
        ConfigInstance config = config(project, template, true, source);
        CountDownLatch admitted = new CountDownLatch(1);
        CountDownLatch winnerCommitted = new CountDownLatch(1);
        // the late trigger reads its admission (no build of the snapshot yet), then waits for the other to commit one
        BuildTriggers late = triggers(new QueueAdmission(jdbc));
        CompletableFuture<Build> lateTrigger = CompletableFuture.supplyAsync(() -> tx.execute(t -> {
            TriggerRead.Found found = reads.find(project.id(), config.id()).orElseThrow();
            admitted.countDown();
            try {
                assertThat(winnerCommitted.await(30, TimeUnit.SECONDS)).isTrue();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return late.trigger(found, ALICE);
        }));
        assertThat(admitted.await(30, TimeUnit.SECONDS)).isTrue();
        Build winner = trigger(triggers(new QueueAdmission(jdbc)), project.id(), config.id());
        winnerCommitted.countDown();

        assertThatThrownBy(() -> lateTrigger.get(30, TimeUnit.SECONDS)).cause().isInstanceOfSatisfying(BuildTriggers.SnapshotRaced.class,
                raced -> assertThat(late.conflict(raced)).isInstanceOfSatisfying(ApiException.class, conflict -> {
                    assertThat(conflict.status().value()).isEqualTo(409);
                    assertThat(conflict.code()).isEqualTo("BUILD_IN_PROGRESS");
                    assertThat(conflict.getMessage()).endsWith(winner.id());
                }));
        assertThat(builds.count(Build.QUEUED)).isEqualTo(1);
        assertThat(builds.queuedBuilds()).as("the late trigger's count rolled back with it").isEqualTo(1);
    }
}
