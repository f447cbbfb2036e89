package dev.traceflow.builds.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.traceflow.builds.internal.run.RecordingLogSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.unit.DataSize;

import java.sql.DriverManager;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static dev.traceflow.builds.internal.Rows.time;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Measurements for issue 21's queue targets on the machine's PostgreSQL, not a test (surefire does not
 * pick the name up; {@code traceflow-benchmark/build-queue-bench.sh} runs it): (1) 10,000 queued no-op
 * builds drained by {@code claimers} threads, each claim followed at once by its finish (the whole
 * claim → finish cycle of a build whose steps do nothing), reporting claims per second and checking
 * that no build was claimed twice; (2) triggers at a fixed rate (default 500/s for 10 s), each the
 * trigger's database transaction (duplicate-snapshot check, queue capacity, insert of the build and its
 * stages), latency measured from each trigger's scheduled start (no coordinated omission). HTTP and
 * authentication are not in (2): it is the queue's share of a trigger's answer.
 * Settings: {@code -Dbuilds=10000 -Dclaimers=8 -Drate=500 -Dseconds=10 -DmaxRunning=0 -DtriggerProjects=100} (maxRunning:
 * the overall limit, whose row lock serializes claims; 0 leaves it off, as by default. triggerProjects: how many
 * projects the triggers go to in turn; 1 is {@code build-trigger-bench.sh}'s case, whose triggers of a moment all name
 * one project).
 */
class PostgresBuildQueueMeasurement {

    static final String URL = System.getenv().getOrDefault("TRACEFLOW_IT_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    static final String USER = System.getenv().getOrDefault("TRACEFLOW_IT_POSTGRES_USER", "postgres");

    @Test
    void drainAndTrigger() throws Exception {
        int total = Integer.getInteger("builds", 10_000);
        int claimers = Integer.getInteger("claimers", 8);
        int rate = Integer.getInteger("rate", 500);
        int seconds = Integer.getInteger("seconds", 10);
        int triggerProjects = Integer.getInteger("triggerProjects", 100);
        assertThat(triggerProjects).as("-DtriggerProjects, of the 100 projects").isBetween(1, 100);
        String schema = "traceflow_queue_bench_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 8);
        try (var c = DriverManager.getConnection(URL, USER, ""); var st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
        HikariDataSource ds = new HikariDataSource();
        ds.setJdbcUrl(URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema);
        ds.setUsername(USER);
        ds.setPassword("");
        ds.setMaximumPoolSize(claimers + 4);
        try {
            Flyway.configure().dataSource(ds).schemas(schema).locations("classpath:db/migration").load().migrate();
            JdbcClient jdbc = JdbcClient.create(ds);
            JdbcBuilds builds = new JdbcBuilds(jdbc);
            TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
            Clock clock = Clock.systemUTC();
            BuildQueueProperties settings = new BuildQueueProperties(Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(5),
                    3, 2, Integer.getInteger("maxRunning", 0), 0, Duration.ofMillis(100), Duration.ofSeconds(5), null, null,
                    DataSize.ofMegabytes(10), DataSize.ofMegabytes(1), 16, Duration.ofMinutes(5), "");
            SimpleMeterRegistry meters = new SimpleMeterRegistry();
            BuildQueue queue = new BuildQueue(builds, tx, clock, settings, new RecordingLogSink(), meters);
            Instant now = Instant.now();
            jdbc.sql("INSERT INTO apps (id, name, retention_days, created_at) VALUES ('bench', 'bench', 30, ?)").param(time(now)).update();
            jdbc.sql("INSERT INTO build_templates (id, name, deploy_type, created_at, updated_at) VALUES ('t', 't', 'static', ?, ?)")
                    .params(time(now), time(now)).update();
            List<String> projects = new ArrayList<>();
            for (int p = 0; p < 100; p++) {
                String id = "p" + p;
                projects.add(id);
                jdbc.sql("INSERT INTO build_projects (id, app_id, name, template_id, owner_id, created_at, updated_at) "
                        + "VALUES (?, 'bench', ?, 't', 'u', ?, ?)").params(id, id, time(now), time(now)).update();
            }
            JdbcTemplate batch = new JdbcTemplate(ds);
            List<Object[]> rows = new ArrayList<>();
            List<Object[]> stages = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                String id = UUID.randomUUID().toString();
                String hash = String.format("%064x", i);
                Timestamp queued = Timestamp.from(now.plusMillis(i));
                rows.add(new Object[] {id, projects.get(i % projects.size()), hash, hash, queued});
                for (int s = 0; s < Build.STAGES.size(); s++) {
                    stages.add(new Object[] {id, s, Build.STAGES.get(s)});
                }
            }
            batch.batchUpdate("INSERT INTO builds (id, project_id, config_id, app_id, status, kind, snapshot_hash, active_snapshot, "
                    + "resolved_versions, inputs, attempt, max_attempts, cancel_requested, queued_at) VALUES (?, ?, 'c', 'bench', 'queued', "
                    + "'build', ?, ?, '[]', '{\"sources\":[{\"ref\":\"v1\"}]}', 0, 3, FALSE, ?)", rows);
            batch.batchUpdate("INSERT INTO build_stages (build_id, position, name, status) VALUES (?, ?, ?, 'pending')", stages);

            List<String> claimed = Collections.synchronizedList(new ArrayList<>());
            ExecutorService pool = Executors.newFixedThreadPool(claimers);
            long start = System.nanoTime();
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < claimers; w++) {
                String owner = "bench-" + w;
                done.add(pool.submit(() -> {
                    while (true) {
                        Optional<Build.Claim> claim = queue.claim(owner);
                        if (claim.isPresent()) {
                            claimed.add(claim.get().build().id());
                            queue.finish(claim.get(), Build.SUCCESS, null, null, "v1+bench");
                        } else if (builds.count(Build.QUEUED) == 0) {
                            return null;
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            double drainSeconds = (System.nanoTime() - start) / 1e9;
            pool.shutdown();
            int duplicates = claimed.size() - new HashSet<>(claimed).size();
            long twice = jdbc.sql("SELECT count(*) FROM builds WHERE attempt <> 1").query(Long.class).single();
            // a claimer that chose a build another one was taking waited for that one's commit, then took nothing
            System.out.printf("DRAIN builds=%d claimers=%d seconds=%.2f claimsPerSecond=%.0f duplicates=%d attemptsAbove1=%d racesLost=%.0f%n",
                    total, claimers, drainSeconds, claimed.size() / drainSeconds, duplicates, twice,
                    meters.counter("traceflow.builds.queue.claim_races_lost").count());
            assertThat(claimed).hasSize(total);
            assertThat(duplicates).isZero();
            assertThat(twice).isZero();

            // (2) triggers at a fixed rate; the queue may hold them all
            jdbc.sql("INSERT INTO build_settings (name, setting_value, updated_at) VALUES ('build.queueCapacity', '10000', ?)")
                    .param(time(Instant.now())).update();
            QueueAdmission admission = new QueueAdmission(jdbc);
            BuildTriggers triggers = new BuildTriggers(builds, admission, settings, clock,
                    new IdlePolling());
            int n = rate * seconds;
            long[] latencies = new long[n];
            ExecutorService senders = Executors.newFixedThreadPool(16);
            long t0 = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            List<Future<?>> sent = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                long scheduled = t0 + (long) (k * (1e9 / rate));
                sent.add(senders.submit(() -> {
                    long wait = scheduled - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    String hash = String.format("%064x", 1_000_000 + k);
                    String project = projects.get(k % triggerProjects);
                    tx.execute(t -> triggers.queue(admission.of(project, hash), project, "c", "bench", "build", null, hash, "[]",
                            "{\"sources\":[{\"ref\":\"v1\"}]}", new Build.Trigger("u", "bench", null)));
                    latencies[k] = System.nanoTime() - scheduled;
                    return null;
                }));
            }
            for (Future<?> f : sent) {
                f.get();
            }
            senders.shutdown();
            Arrays.sort(latencies);
            System.out.printf("TRIGGER rate=%d/s seconds=%d projects=%d n=%d p50=%.1fms p99=%.1fms max=%.1fms%n", rate, seconds,
                    triggerProjects, n, latencies[n / 2] / 1e6, latencies[(int) (n * 0.99)] / 1e6, latencies[n - 1] / 1e6);
            assertThat(builds.count(Build.QUEUED)).isEqualTo(n);
        } finally {
            ds.close();
            try (var c = DriverManager.getConnection(URL, USER, ""); var st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        }
    }
}
