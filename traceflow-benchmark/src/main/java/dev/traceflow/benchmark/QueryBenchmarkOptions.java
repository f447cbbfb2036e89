package dev.traceflow.benchmark;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The command line of {@link QueryBenchmark}: {@code --name value} or {@code --name=value}, the last
 * of a repeated option wins (so query-bench.sh can put defaults first).
 *
 * @param events        events to generate and load
 * @param apps          apps the events are spread over
 * @param queries       timed requests per endpoint
 * @param seed          the dataset's seed
 * @param dataDir       the server's data dir (must be empty or missing); null for a fresh temporary one
 * @param keepData      keep the data dir afterwards
 * @param adminPassword the bootstrap admin's password, null for a random one (set it with --keep-data to sign in to
 *                      the kept data afterwards, e.g. the dashboard's first-paint measurement)
 * @param serverJar     the server's fat jar
 * @param serverCpus    {@code taskset -c} list for the server, or null
 * @param serverJvmArgs extra JVM options of the server
 * @param duckDbThreads DuckDB threads of the in-process load and bare reads; 0 = as the server's default
 * @param duckDbMemory  DuckDB memory limit of the in-process load and bare reads (the server's default)
 * @param connections   ingest connections
 * @param batch         events per ingest request
 * @param ingestWarmup  warmup of the ingest path before its maximum is measured
 * @param ingestMax     the closed-loop phase that measures the maximum ingest rate
 * @param readyTimeout  how long the server may take to answer {@code /healthz}
 * @param out           JSON results
 * @param queryWarmup   passes over other variations of every answer endpoint before the timed HTTP pass (0: none)
 * @param ingestRate    events/s of the background ingest while the queries run; 0 = half the measured maximum
 */
record QueryBenchmarkOptions(long events, int apps, int queries, long seed, Path dataDir, boolean keepData, String adminPassword,
                             Path serverJar, String serverCpus, List<String> serverJvmArgs, int duckDbThreads,
                             String duckDbMemory, int connections, int batch, Duration ingestWarmup, Duration ingestMax,
                             Duration readyTimeout, Path out, int queryWarmup, long ingestRate) {

    static final String USAGE = """
            Usage: QueryBenchmark [options]
              --events N             events to generate and load (10000000)
              --apps N               apps they are spread over (4)
              --queries N            timed requests per endpoint (20)
              --seed N               dataset seed (16)
              --data-dir DIR         server data dir, empty or missing (a fresh temporary dir)
              --keep-data            keep the data dir (events.duckdb, server.log) afterwards
              --admin-password PW    the bootstrap admin's password, 12+ characters (random)
              --server-jar FILE      (traceflow-server/target/traceflow-server.jar)
              --server-cpus LIST     pin the server with taskset -c LIST (no pinning)
              --server-jvm-args "A"  extra JVM options for the server
              --duckdb-threads N     DuckDB threads of the load and the bare reads; 0 = the server's default,
                                     half the cores, at least 1 (0)
              --duckdb-memory SIZE   DuckDB memory limit of the load and the bare reads (2GB, the server's)
              --connections N        ingest connections (16)
              --batch N              events per ingest request (50)
              --ingest-warmup D      ingest warmup before the maximum is measured (10s)
              --ingest-max D         closed-loop phase measuring the maximum ingest rate (15s)
              --ready-timeout D      wait this long for the server's /healthz (300s)
              --out FILE             JSON results (query-results.json)
              --query-warmup N       passes over other variations (ranges ending 37 s earlier per pass) of every
                                     answer endpoint before the timed HTTP pass, ingest running; the first is
                                     timed and reported as the cold figure; 0 = none (3)
              --ingest-rate N        events/s of the ingest while the queries run; 0 = half the measured maximum,
                                     as issue 16 asks; a fixed rate compares two servers at the same load (0)
            Durations: 500ms, 5s, 2m or plain seconds.""";

    private static final Set<String> FLAGS = Set.of("keep-data", "help");

    static QueryBenchmarkOptions parse(String[] args) throws BenchmarkOptions.UsageException {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--") || arg.length() == 2) {
                throw new BenchmarkOptions.UsageException("unexpected argument: " + arg);
            }
            String name = arg.substring(2);
            int equals = name.indexOf('=');
            if (equals >= 0) {
                values.put(name.substring(0, equals), name.substring(equals + 1));
            } else if (FLAGS.contains(name)) {
                values.put(name, "true");
            } else if (i + 1 < args.length) {
                values.put(name, args[++i]);
            } else {
                throw new BenchmarkOptions.UsageException("missing value for --" + name);
            }
        }
        Set<String> used = new HashSet<>();
        var options = new QueryBenchmarkOptions(
                positive(values, used, "events", 10_000_000),
                (int) positive(values, used, "apps", 4),
                (int) positive(values, used, "queries", 20),
                positive(values, used, "seed", 16),
                path(values, used, "data-dir", null),
                "true".equals(text(values, used, "keep-data", "false")),
                text(values, used, "admin-password", null),
                path(values, used, "server-jar", "traceflow-server/target/traceflow-server.jar"),
                text(values, used, "server-cpus", null),
                split(text(values, used, "server-jvm-args", "")),
                (int) number(values, used, "duckdb-threads", 0),
                text(values, used, "duckdb-memory", "2GB"),
                (int) positive(values, used, "connections", 16),
                (int) positive(values, used, "batch", 50),
                BenchmarkOptions.parseDuration(text(values, used, "ingest-warmup", "10s")),
                BenchmarkOptions.parseDuration(text(values, used, "ingest-max", "15s")),
                BenchmarkOptions.parseDuration(text(values, used, "ready-timeout", "300s")),
                path(values, used, "out", "query-results.json"),
                // three: after one the JIT still took 5-8 % of the server's core in the timed pass (README,
                // "Query benchmark", nineteenth session), which a long-lived server has finished
                (int) number(values, used, "query-warmup", 3),
                number(values, used, "ingest-rate", 0));
        for (String name : values.keySet()) {
            if (!used.contains(name)) {
                throw new BenchmarkOptions.UsageException("unknown option --" + name + "\n" + USAGE);
            }
        }
        if (options.adminPassword() != null && options.adminPassword().length() < 12) {
            throw new BenchmarkOptions.UsageException("--admin-password must have at least 12 characters");
        }
        if (options.ingestMax().isZero()) {
            throw new BenchmarkOptions.UsageException("--ingest-max must be positive");
        }
        if (options.queryWarmup() > 100) {
            throw new BenchmarkOptions.UsageException("--query-warmup must be at most 100");
        }
        if (options.events() > Integer.MAX_VALUE) {
            throw new BenchmarkOptions.UsageException("--events must be at most " + Integer.MAX_VALUE);
        }
        return options;
    }

    private static String text(Map<String, String> values, Set<String> used, String name, String fallback) {
        used.add(name);
        return values.getOrDefault(name, fallback);
    }

    private static Path path(Map<String, String> values, Set<String> used, String name, String fallback) {
        String value = text(values, used, name, fallback);
        return value == null ? null : Path.of(value);
    }

    private static long number(Map<String, String> values, Set<String> used, String name, long fallback)
            throws BenchmarkOptions.UsageException {
        String value = text(values, used, name, null);
        if (value == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.replace("_", "").replace(",", ""));
            if (parsed < 0) {
                throw new BenchmarkOptions.UsageException("--" + name + " must not be negative");
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw new BenchmarkOptions.UsageException("--" + name + " must be an integer: " + value);
        }
    }

    private static long positive(Map<String, String> values, Set<String> used, String name, long fallback)
            throws BenchmarkOptions.UsageException {
        long value = number(values, used, name, fallback);
        if (value < 1) {
            throw new BenchmarkOptions.UsageException("--" + name + " must be positive");
        }
        return value;
    }

    private static List<String> split(String text) {
        List<String> parts = new ArrayList<>();
        for (String part : text.trim().split("\\s+")) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return List.copyOf(parts);
    }

    /** The DuckDB thread count: as asked, else the server's default (half the cores, at least one). */
    int effectiveDuckDbThreads() {
        return duckDbThreads > 0 ? duckDbThreads : Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
    }
}
