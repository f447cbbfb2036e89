package dev.traceflow.benchmark;

import dev.traceflow.benchmark.BenchmarkOptions.UsageException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The command line of {@link AlertBenchmark} ({@link OptionReader}: the last of a repeated option wins).
 *
 * @param events        events to generate and load
 * @param apps          apps they are spread over; the rules and trials use the first
 * @param rules         threshold rules in each of phases B and C
 * @param trials        new error groups in phase D
 * @param seed          the dataset's seed
 * @param dataLead      how far past the run's start the dataset reaches, so that rule windows ending "now" hold its
 *                      traffic for the whole run, as live traffic would, without an ingest load adding its own CPU
 * @param settle        wait after the server starts on the loaded file, before phase A
 * @param measure       the measured window of phases A, B and C
 * @param ruleWarmup    wait after the last rule of a phase is created, before its window: every rule's first
 *                      evaluation (rules start spread over their interval) and its first incidents come before
 * @param trialTimeout  how long a trial waits for its webhook and its listing
 * @param trialPause    the most a trial waits before sending (a random pause up to it)
 * @param alertsTick    the server's TRACEFLOW_ALERTS_TICK; null for its default
 * @param dataDir       the server's data dir (empty or missing); null for a fresh temporary one
 * @param keepData      keep the data dir afterwards
 * @param serverJar     the server's fat jar
 * @param serverCpus    {@code taskset -c} list for the server, or null
 * @param serverJvmArgs extra JVM options of the server
 * @param duckDbThreads DuckDB threads of the in-process load; 0 = as the server's default
 * @param duckDbMemory  DuckDB memory limit of the in-process load
 * @param readyTimeout  how long the server may take to answer {@code /healthz}
 * @param out           JSON results
 */
record AlertBenchmarkOptions(long events, int apps, int rules, int trials, long seed, Duration dataLead, Duration settle,
                             Duration measure, Duration ruleWarmup, Duration trialTimeout, Duration trialPause,
                             Duration alertsTick, Path dataDir, boolean keepData, Path serverJar, String serverCpus,
                             List<String> serverJvmArgs, int duckDbThreads, String duckDbMemory, Duration readyTimeout, Path out) {

    static final String USAGE = """
            Usage: AlertBenchmark [options]
              --events N             events to generate and load (1000000)
              --apps N               apps they are spread over; rules and trials use the first (1)
              --rules N              threshold rules of phases B (shared questions) and C (none shared) (1000)
              --trials N             new error groups timed in phase D (100)
              --seed N               dataset seed (22)
              --data-lead D          the dataset reaches this far past the start (120m)
              --settle D             wait after the server starts on the loaded file (30s)
              --measure D            measured window of phases A, B, C (2m)
              --rule-warmup D        wait after creating a phase's rules, before its window (65s)
              --trial-timeout D      how long a trial waits for its webhook and listing (30s)
              --trial-pause D        random pause up to this before each trial (1s)
              --alerts-tick D        the server's TRACEFLOW_ALERTS_TICK (its default, 5s)
              --data-dir DIR         server data dir, empty or missing (a fresh temporary dir)
              --keep-data            keep the data dir (events.duckdb, server.log) afterwards
              --server-jar FILE      (traceflow-server/target/traceflow-server.jar)
              --server-cpus LIST     pin the server with taskset -c LIST (no pinning)
              --server-jvm-args "A"  extra JVM options for the server
              --duckdb-threads N     DuckDB threads of the load; 0 = the server's default (0)
              --duckdb-memory SIZE   DuckDB memory limit of the load (2GB)
              --ready-timeout D      wait this long for the server's /healthz (300s)
              --out FILE             JSON results (alert-results.json)
            Durations: 500ms, 5s, 2m or plain seconds.""";

    static AlertBenchmarkOptions parse(String[] args) throws UsageException {
        OptionReader r = OptionReader.of(args, List.of("keep-data", "help"), USAGE);
        String tick = r.text("alerts-tick", null);
        var options = new AlertBenchmarkOptions(
                r.longValue("events", 1_000_000),
                r.positiveInt("apps", 1),
                r.positiveInt("rules", 1_000),
                r.positiveInt("trials", 100),
                r.longValue("seed", 22),
                r.duration("data-lead", Duration.ofMinutes(120), true),
                r.duration("settle", Duration.ofSeconds(30), true),
                r.duration("measure", Duration.ofMinutes(2), false),
                r.duration("rule-warmup", Duration.ofSeconds(65), true),
                r.duration("trial-timeout", Duration.ofSeconds(30), false),
                r.duration("trial-pause", Duration.ofSeconds(1), true),
                tick == null ? null : BenchmarkOptions.parseDuration(tick),
                r.path("data-dir", null),
                r.flag("keep-data"),
                r.path("server-jar", "traceflow-server/target/traceflow-server.jar"),
                r.text("server-cpus", null),
                r.words("server-jvm-args"),
                (int) Math.clamp(r.longValue("duckdb-threads", 0), -1, 1_024),
                r.text("duckdb-memory", "2GB"),
                r.duration("ready-timeout", Duration.ofSeconds(300), false),
                r.path("out", "alert-results.json"));
        r.rejectUnknown();
        if (options.events() < 1 || options.events() > Integer.MAX_VALUE) {
            throw new UsageException("--events must be between 1 and " + Integer.MAX_VALUE);
        }
        if (options.duckDbThreads() < 0) {
            throw new UsageException("--duckdb-threads must be 0 (the server's default) or more");
        }
        if (options.alertsTick() != null && !options.alertsTick().isPositive()) {
            throw new UsageException("--alerts-tick must be positive: the benchmark needs the scheduler running");
        }
        return options;
    }

    /** The DuckDB thread count of the load: as asked, else the server's default (half the cores, at least one). */
    int effectiveDuckDbThreads() {
        return duckDbThreads > 0 ? duckDbThreads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }
}
