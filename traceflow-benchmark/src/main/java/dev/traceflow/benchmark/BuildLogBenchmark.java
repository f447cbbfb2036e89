package dev.traceflow.benchmark;

import dev.traceflow.benchmark.BenchmarkOptions.UsageException;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Issue 21's log target against a real server process (run by {@code build-log-bench.sh}): one build
 * printing {@code rate} lines a second for {@code seconds}, followed over {@code /ws} by
 * {@code followers} clients, and by one more follower that is killed and reconnected
 * {@code reconnects} times during the run and resumes by cursor each time. The harness is the build's
 * worker (it claims the build through the worker API and appends its lines over HTTP as the worker's
 * {@code LogBuffer} does: a command prints at {@code rate} into a queue, and one append at a time
 * carries all lines waiting, up to {@code max-lines-per-append}, once 200 wait) and its followers; the
 * server runs in its own process (pinned apart with {@code SERVER_CPUS} / {@code CLIENT_CPUS}). Reports
 * whether every follower got exactly lines 1..N in order, whether the resuming follower did, the lines a
 * second the writer sustained, and the latency to each follower's receipt from a line's write (just
 * before its append is sent: target p99 under 500 ms) and from its output by the command (which adds
 * the time it waited in the worker).
 */
public final class BuildLogBenchmark {

    static final String USAGE = """
            Usage: build-log-bench.sh [options]
              --rate N               log lines a second (5000)
              --seconds N            how long the build prints (20)
              --followers N          /ws followers that stay connected (100)
              --reconnects N         times the one resuming follower is killed and reconnected (20; 0: no such follower)
              --max-lines-per-append N  the most lines an append carries (1000, the worker API's limit, as the worker
                                     sends them; 200: the worker before it sent all pending lines, 200 at a time)
              --warmup-seconds N     a build of its own printed at the rate for this long first, with as many followers,
                                     not measured: the server's JIT compiles its hot paths there, not in the measured
                                     build (10; 0: none)
              --client raw|jdk       the followers' WebSocket client: raw (frames read as bytes, a thread per follower) or
                                     jdk (java.net.http, the harness's client before 2026-12-05 evening) (raw)
              --out FILE             JSON results (build-log-results.json)
            """ + BuildBenchServer.Choice.USAGE;

    static final double TARGET_P99_MILLIS = 500;
    /** How much longer than the printing the writing may take and still count as keeping up with the rate. */
    static final double WRITER_SLACK = 0.02;
    /** The worker API's limit (and LogBuffer.MAX_APPEND): a worker that is behind sends this many lines at once. */
    static final int MAX_APPEND = WorkerLogWriter.MAX_APPEND;
    /** the gateway's connections of one user (TRACEFLOW_REALTIME_MAX_CONNECTIONS_PER_USER's default is 50) */
    static final int FOLLOWERS_PER_USER = 25;
    /** one JDK client (one selector thread) per this many followers: a single one would read for all and lag */
    static final int FOLLOWERS_PER_CLIENT = 10;

    record Options(int rate, int seconds, int followers, int reconnects, int maxLinesPerAppend, int warmupSeconds,
                   LogFollower.Client client, BuildBenchServer.Choice server, Path out) {

        static Options parse(String[] args) throws UsageException {
            OptionReader r = OptionReader.of(args, List.of("keep-data", "help"), USAGE);
            var options = new Options(r.positiveInt("rate", 5_000), r.positiveInt("seconds", 20), r.positiveInt("followers", 100),
                    (int) r.longValue("reconnects", 20), r.positiveInt("max-lines-per-append", MAX_APPEND),
                    (int) r.longValue("warmup-seconds", 10), client(r.text("client", "raw")),
                    BuildBenchServer.Choice.read(r), r.path("out", "build-log-results.json"));
            r.rejectUnknown();
            if (options.reconnects() < 0 || options.warmupSeconds() < 0) {
                throw new UsageException("--reconnects and --warmup-seconds must be 0 or more");
            }
            if (options.maxLinesPerAppend() > MAX_APPEND) {
                throw new UsageException("an append carries at most " + MAX_APPEND + " lines: lower --max-lines-per-append");
            }
            if ((long) options.rate() * Math.max(options.seconds(), options.warmupSeconds()) > 50_000_000) {
                throw new UsageException("--rate x --seconds must be at most 50,000,000 lines");
            }
            return options;
        }

        private static LogFollower.Client client(String name) throws UsageException {
            return switch (name) {
                case "raw" -> LogFollower.Client.RAW;
                case "jdk" -> LogFollower.Client.JDK;
                default -> throw new UsageException("--client is raw or jdk");
            };
        }

        int total() {
            return rate * seconds;
        }

        int warmupLines() {
            return rate * warmupSeconds;
        }
    }

    private final Options options;

    BuildLogBenchmark(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        BuildBenchServer.main(args, USAGE, Options::parse, (options, out) -> new BuildLogBenchmark(options).run(out));
    }

    int run(PrintStream out) throws Exception {
        String workerToken = BenchmarkSetup.hex(24);
        String metricsToken = BenchmarkSetup.hex(24);
        Map<String, Object> report;
        // no in-process workers: the harness claims the build as a remote worker does, nobody else runs it
        try (BuildBenchServer server = BuildBenchServer.start(options.server(), Map.of("TRACEFLOW_BUILDS_QUEUE_WORKERS", "0",
                "TRACEFLOW_BUILDS_QUEUE_WORKER_TOKEN", workerToken, "TRACEFLOW_METRICS_TOKEN", metricsToken), "build log", out);
             RemoteWorkerClient worker = new RemoteWorkerClient(server.base(), workerToken)) {
            report = measure(server.api(), worker, server.base(), server.repoUrl(), new ServerAppendPhases(server.base(), metricsToken),
                    server.pid());
        } catch (ServerStartException e) {
            out.println("FAILED: " + e.getMessage());
            return QueryBenchmark.EXIT_NO_SERVER;
        }
        report.put("serverJar", options.server().jar().toString());
        Files.writeString(options.out(), JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        out.println(BuildLogSummary.of(report));
        return Boolean.TRUE.equals(report.get("allExact")) ? 0 : 1;
    }

    private Map<String, Object> measure(ApiClient api, RemoteWorkerClient worker, String base, String repoUrl, ServerAppendPhases phases,
                                        long serverPid) throws Exception {
        BuildFixture fixture = BuildFixture.create(api, "bench-logs", repoUrl, null);
        Map<String, Object> warmup = options.warmupSeconds() > 0 ? warmUp(fixture, worker, base) : null;
        String buildId = fixture.trigger(fixture.validatedConfig(1));
        int total = options.total();
        AtomicLongArray writtenAt = new AtomicLongArray(total + 1);
        AtomicLongArray printedAt = new AtomicLongArray(total + 1);
        int connections = options.followers() + (options.reconnects() > 0 ? 1 : 0);
        List<HttpClient> clients = clients(connections);
        List<LogFollower> followers = follow(fixture, base, buildId, connections, "follower", clients, writtenAt, printedAt);
        LogFollower resuming = options.reconnects() > 0 ? followers.getLast() : null;
        List<LogFollower> steady = resuming == null ? followers : followers.subList(0, options.followers());

        // claimed only now, with every follower subscribed to the queued build: setting up 100 followers on a loaded
        // machine can take longer than the lease, and the build is re-queued when no heartbeat comes in time
        RemoteWorkerClient.Claim claim = worker.claim("bench-log-writer");
        if (!claim.buildId().equals(buildId)) {
            throw new IOException("claimed build " + claim.buildId() + ", triggered " + buildId);
        }
        double[] loadBefore = BuildsBenchmark.loadAverage();
        ScheduledExecutorService timers = Executors.newScheduledThreadPool(2);
        AtomicReference<Exception> background = new AtomicReference<>();
        heartbeats(timers, worker, claim, background);
        if (resuming != null) {
            long every = TimeUnit.SECONDS.toMillis(options.seconds()) / options.reconnects();
            for (int i = 0; i < options.reconnects(); i++) {
                timers.schedule(() -> {
                    try {
                        resuming.reconnect();
                    } catch (RuntimeException e) {
                        background.compareAndSet(null, e);
                    }
                }, every / 2 + i * every, TimeUnit.MILLISECONDS);
            }
        }
        String metricsBefore = phases.scrape();
        RunCpu cpu = RunCpu.start(serverPid);
        WorkerLogWriter.Writes writes = writer().write(worker, claim, total, writtenAt, printedAt);
        Map<String, Double> serverAppendMs = ServerAppendPhases.meanMillis(metricsBefore, phases.scrape());
        timers.shutdown();
        timers.awaitTermination(30, TimeUnit.SECONDS);
        worker.finish(claim, "fail", "benchmark");
        long endBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        int ended = 0;
        for (LogFollower f : followers) {
            ended += f.ended().await(Math.max(0, endBy - System.nanoTime()), TimeUnit.NANOSECONDS) ? 1 : 0;
        }
        double allSeconds = (System.nanoTime() - writes.startNanos()) / 1e9;
        Map<String, Object> cpuUsed = cpu.report();
        double[] loadAfter = BuildsBenchmark.loadAverage();
        followers.forEach(LogFollower::close);
        clients.forEach(HttpClient::shutdownNow); // close() would wait for the aborted WebSockets of the killed follower
        if (background.get() != null) {
            throw background.get();
        }

        LatencyHistogram merged = new LatencyHistogram();
        LatencyHistogram sincePrinted = new LatencyHistogram();
        long receipts = 0;
        int exact = 0;
        for (LogFollower f : steady) {
            merged.add(f.latencies());
            sincePrinted.add(f.latenciesSincePrinted());
            receipts += f.received();
            exact += f.exactly(total) ? 1 : 0;
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("startedAt", Instant.now().toString());
        report.put("machineCpus", BuildsBenchmark.machineCpus());
        report.put("harnessCpus", Runtime.getRuntime().availableProcessors());
        report.put("options", Map.of("rate", options.rate(), "seconds", options.seconds(), "followers", options.followers(),
                "reconnects", options.reconnects(), "maxLinesPerAppend", options.maxLinesPerAppend(), "warmupSeconds", options.warmupSeconds(),
                "client", options.client().name().toLowerCase(Locale.ROOT)));
        report.put("lines", total);
        report.put("writeSeconds", round(writes.seconds()));
        report.put("linesPerSecondWritten", Math.round(total / writes.seconds()));
        report.put("appends", writes.appendMillis().length);
        report.put("appendMs", Map.of("p50", round(writes.millis(0.50)), "p99", round(writes.millis(0.99)), "max", round(writes.millis(1.0))));
        report.put("linesPerAppend", Map.of("p50", Math.round(BuildsBenchmark.percentile(writes.appendLines(), 0.50)),
                "max", Math.round(BuildsBenchmark.percentile(writes.appendLines(), 1.0))));
        report.put("serverAppendMs", serverAppendMs);
        report.put("printerHeldBack", writes.printerHeldBack());
        report.put("followersExact", exact);
        report.put("followersEnded", ended);
        report.put("receipts", receipts);
        report.put("receiptsPerSecond", Math.round(receipts / allSeconds));
        report.put("secondsUntilAllEnded", round(allSeconds));
        report.put("latencyMs", Map.of("p50", round(merged.millisAtPercentile(50)), "p90", round(merged.millisAtPercentile(90)),
                "p99", round(merged.millisAtPercentile(99)), "p999", round(merged.millisAtPercentile(99.9)), "max", round(merged.maxMillis())));
        report.put("latencySincePrintedMs", Map.of("p50", round(sincePrinted.millisAtPercentile(50)),
                "p90", round(sincePrinted.millisAtPercentile(90)), "p99", round(sincePrinted.millisAtPercentile(99)),
                "max", round(sincePrinted.maxMillis())));
        report.put("targetP99Ms", TARGET_P99_MILLIS);
        // the build prints at the rate: a writer that took longer than 2 % over the printing time did not keep up
        boolean keptUp = writes.seconds() <= options.seconds() * (1 + WRITER_SLACK);
        report.put("writerKeptUp", keptUp);
        report.put("targetMet", keptUp && exact == options.followers() && merged.millisAtPercentile(99) < TARGET_P99_MILLIS);
        if (resuming != null) {
            report.put("resuming", Map.of("reconnects", resuming.reconnects(), "received", resuming.received(),
                    "exact", resuming.exactly(total), "unexpected", String.valueOf(resuming.unexpected()),
                    "connectFailures", resuming.connectFailures()));
        }
        report.put("allExact", exact == options.followers() && (resuming == null || resuming.exactly(total)));
        report.put("cpu", cpuUsed);
        if (warmup != null) {
            report.put("warmup", warmup);
        }
        report.put("loadAverageBefore", loadBefore);
        report.put("loadAverageAfter", loadAfter);
        return report;
    }

    /**
     * The warm-up (not measured): a build of its own, followed by as many followers with the same client,
     * printed at the rate for {@code --warmup-seconds} and ended, so that the server's JIT has compiled the
     * append and delivery paths before the measured build starts: on the server's one CPU, C2's compiler
     * threads took as much CPU as the work itself in a cold run (2026-12-05). Reports how it went.
     */
    private Map<String, Object> warmUp(BuildFixture fixture, RemoteWorkerClient worker, String base) throws Exception {
        int lines = options.warmupLines();
        String buildId = fixture.trigger(fixture.validatedConfig(2));
        AtomicLongArray at = new AtomicLongArray(lines + 1);
        List<HttpClient> clients = clients(options.followers());
        List<LogFollower> followers = follow(fixture, base, buildId, options.followers(), "warmup", clients, at, at);
        RemoteWorkerClient.Claim claim = worker.claim("bench-log-warmup");
        if (!claim.buildId().equals(buildId)) {
            throw new IOException("claimed build " + claim.buildId() + " for the warm-up, triggered " + buildId);
        }
        ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor();
        AtomicReference<Exception> background = new AtomicReference<>();
        heartbeats(timers, worker, claim, background);
        WorkerLogWriter.Writes writes;
        try {
            writes = writer().write(worker, claim, lines, at, at);
        } finally {
            timers.shutdownNow();
        }
        worker.finish(claim, "fail", "warm-up");
        long endBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int exact = 0;
        for (LogFollower f : followers) {
            f.ended().await(Math.max(0, endBy - System.nanoTime()), TimeUnit.NANOSECONDS);
            exact += f.exactly(lines) ? 1 : 0;
        }
        followers.forEach(LogFollower::close);
        clients.forEach(HttpClient::shutdownNow);
        if (background.get() != null) {
            throw background.get();
        }
        return Map.of("seconds", options.warmupSeconds(), "lines", lines, "linesPerSecondWritten", Math.round(lines / writes.seconds()),
                "followersExact", exact);
    }

    /** JDK clients for {@code connections} followers (one per {@link #FOLLOWERS_PER_CLIENT}); none for the raw client. */
    private List<HttpClient> clients(int connections) {
        List<HttpClient> clients = new ArrayList<>();
        boolean jdk = options.client() == LogFollower.Client.JDK;
        for (int i = 0; jdk && i < (connections + FOLLOWERS_PER_CLIENT - 1) / FOLLOWERS_PER_CLIENT; i++) {
            clients.add(HttpClient.newHttpClient());
        }
        return clients;
    }

    /** Connects {@code connections} followers of the build, subscribed from its start, as viewers named {@code who}-N. */
    private List<LogFollower> follow(BuildFixture fixture, String base, String buildId, int connections, String who, List<HttpClient> clients,
                                     AtomicLongArray writtenAt, AtomicLongArray printedAt) throws IOException, InterruptedException {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < (connections + FOLLOWERS_PER_USER - 1) / FOLLOWERS_PER_USER; i++) {
            tokens.add(fixture.userToken(who + "-" + i, "viewer", base));
        }
        List<LogFollower> followers = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            URI uri = URI.create(base.replace("http://", "ws://") + "/ws?app=" + fixture.appId + "&token=" + tokens.get(i / FOLLOWERS_PER_USER));
            LogFollower follower = new LogFollower(clients.isEmpty() ? null : clients.get(i / FOLLOWERS_PER_CLIENT), uri, who + "-" + i,
                    buildId, writtenAt, printedAt);
            follower.connect();
            followers.add(follower);
        }
        return followers;
    }

    private WorkerLogWriter writer() {
        return new WorkerLogWriter(options.rate(), options.maxLinesPerAppend());
    }

    private static void heartbeats(ScheduledExecutorService timers, RemoteWorkerClient worker, RemoteWorkerClient.Claim claim,
                                   AtomicReference<Exception> background) {
        timers.scheduleAtFixedRate(() -> {
            try {
                worker.heartbeat(claim);
            } catch (Exception e) {
                background.compareAndSet(null, e);
            }
        }, 5, 5, TimeUnit.SECONDS);
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
