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
              --client raw|jdk       the followers' WebSocket client: raw (frames read as bytes, a thread per follower) or
                                     jdk (java.net.http, the harness's client before 2026-12-05 evening) (raw)
              --out FILE             JSON results (build-log-results.json)
            """ + BuildBenchServer.Choice.USAGE;

    static final double TARGET_P99_MILLIS = 500;
    /** How much longer than the printing the writing may take and still count as keeping up with the rate. */
    static final double WRITER_SLACK = 0.02;
    /** The worker's sender starts an append once this many lines wait (LogBuffer.BATCH in the server). */
    static final int BATCH = 200;
    /** The worker API's limit (and LogBuffer.MAX_APPEND): a worker that is behind sends this many lines at once. */
    static final int MAX_APPEND = 1000;
    /** Lines that may wait unsent before the command's output is held back (LogBuffer.MAX_PENDING). */
    static final int MAX_PENDING = 10 * MAX_APPEND;
    /** How often the simulated command prints the lines due by then. */
    static final long PRINT_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** the gateway's connections of one user (TRACEFLOW_REALTIME_MAX_CONNECTIONS_PER_USER's default is 50) */
    static final int FOLLOWERS_PER_USER = 25;
    /** one JDK client (one selector thread) per this many followers: a single one would read for all and lag */
    static final int FOLLOWERS_PER_CLIENT = 10;

    record Options(int rate, int seconds, int followers, int reconnects, int maxLinesPerAppend, LogFollower.Client client,
                   BuildBenchServer.Choice server, Path out) {

        static Options parse(String[] args) throws UsageException {
            OptionReader r = OptionReader.of(args, List.of("keep-data", "help"), USAGE);
            var options = new Options(r.positiveInt("rate", 5_000), r.positiveInt("seconds", 20), r.positiveInt("followers", 100),
                    (int) r.longValue("reconnects", 20), r.positiveInt("max-lines-per-append", MAX_APPEND), client(r.text("client", "raw")),
                    BuildBenchServer.Choice.read(r), r.path("out", "build-log-results.json"));
            r.rejectUnknown();
            if (options.reconnects() < 0) {
                throw new UsageException("--reconnects must be 0 or more");
            }
            if (options.maxLinesPerAppend() > MAX_APPEND) {
                throw new UsageException("an append carries at most " + MAX_APPEND + " lines: lower --max-lines-per-append");
            }
            if ((long) options.rate() * options.seconds() > 50_000_000) {
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
        String buildId = fixture.trigger(fixture.validatedConfig(1));
        int total = options.total();
        AtomicLongArray writtenAt = new AtomicLongArray(total + 1);
        AtomicLongArray printedAt = new AtomicLongArray(total + 1);
        int connections = options.followers() + (options.reconnects() > 0 ? 1 : 0);
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < (connections + FOLLOWERS_PER_USER - 1) / FOLLOWERS_PER_USER; i++) {
            tokens.add(fixture.userToken("follower-" + i, "viewer", base));
        }
        List<HttpClient> clients = new ArrayList<>();
        boolean jdk = options.client() == LogFollower.Client.JDK;
        for (int i = 0; jdk && i < (connections + FOLLOWERS_PER_CLIENT - 1) / FOLLOWERS_PER_CLIENT; i++) {
            clients.add(HttpClient.newHttpClient());
        }
        List<LogFollower> followers = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            URI uri = URI.create(base.replace("http://", "ws://") + "/ws?app=" + fixture.appId + "&token=" + tokens.get(i / FOLLOWERS_PER_USER));
            LogFollower follower = new LogFollower(jdk ? clients.get(i / FOLLOWERS_PER_CLIENT) : null, uri, "log-follower-" + i, buildId,
                    writtenAt, printedAt);
            follower.connect();
            followers.add(follower);
        }
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
        timers.scheduleAtFixedRate(() -> {
            try {
                worker.heartbeat(claim);
            } catch (Exception e) {
                background.compareAndSet(null, e);
            }
        }, 5, 5, TimeUnit.SECONDS);
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
        Writes writes = write(worker, claim, writtenAt, printedAt);
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
                "reconnects", options.reconnects(), "maxLinesPerAppend", options.maxLinesPerAppend(),
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
                    "exact", resuming.exactly(total), "unexpected", String.valueOf(resuming.unexpected())));
        }
        report.put("allExact", exact == options.followers() && (resuming == null || resuming.exactly(total)));
        report.put("cpu", cpuUsed);
        report.put("loadAverageBefore", loadBefore);
        report.put("loadAverageAfter", loadAfter);
        return report;
    }

    /**
     * The writer's side: when it started, how long until the last append was answered, each append's time
     * in ms and its lines (both sorted), and how often the command's output was held back.
     */
    record Writes(long startNanos, double seconds, double[] appendMillis, double[] appendLines, long printerHeldBack) {
        double millis(double q) {
            return appendMillis.length == 0 ? 0 : BuildsBenchmark.percentile(appendMillis, q);
        }
    }

    /**
     * How many lines the worker's sender puts in its next append, given the lines printed and sent so
     * far: all that wait up to {@code max}, once a batch waits or the command has printed its last line;
     * 0: wait for more.
     */
    static int nextAppend(long printed, long sent, boolean allPrinted, int max) {
        long waiting = printed - sent;
        if (waiting <= 0 || waiting < Math.min(BATCH, max) && !allPrinted) {
            return 0;
        }
        return (int) Math.min(waiting, max);
    }

    /**
     * Lines the simulated command printed and the sender sent; the command's lines beyond
     * {@link #MAX_PENDING} unsent wait until the sender has sent some, those within it are queued at once.
     */
    static final class Queued {
        private final int total;
        private long printed;
        private long sent;
        private long heldBack;

        Queued(int total) {
            this.total = total;
        }

        synchronized void printedUpTo(long line) throws InterruptedException {
            boolean waited = false;
            while (true) {
                // what fits is queued before waiting: the sender may be waiting for exactly those lines
                printed = Math.max(printed, Math.min(line, sent + MAX_PENDING));
                notifyAll();
                if (printed == line) {
                    return;
                }
                if (!waited) {
                    heldBack++;
                    waited = true;
                }
                wait();
            }
        }

        /** Waits for the next append's size (0 when everything is sent). */
        synchronized int nextAppend(int max) throws InterruptedException {
            while (true) {
                if (sent == total) {
                    return 0;
                }
                int n = BuildLogBenchmark.nextAppend(printed, sent, printed == total, max);
                if (n > 0) {
                    return n;
                }
                wait();
            }
        }

        synchronized void sentUpTo(long line) {
            sent = line;
            notifyAll();
        }

        synchronized long heldBack() {
            return heldBack;
        }
    }

    /**
     * Prints the lines at the rate on one thread, as a build's command does (each line's output time
     * noted), and sends them on this one as the worker does: one append at a time of all lines waiting,
     * up to the limit (each line's write time noted just before its append is sent).
     */
    private Writes write(RemoteWorkerClient worker, RemoteWorkerClient.Claim claim, AtomicLongArray writtenAt, AtomicLongArray printedAt)
            throws Exception {
        int total = options.total();
        String padding = "x".repeat(40);
        Queued queued = new Queued(total);
        AtomicReference<Exception> printFailed = new AtomicReference<>();
        long start = System.nanoTime();
        Thread printer = Thread.ofPlatform().name("bench-log-printer").daemon(true).start(() -> {
            try {
                long done = 0;
                for (long tick = 1; done < total; tick++) {
                    long wait = start + tick * PRINT_EVERY_NANOS - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    long now = System.nanoTime();
                    long due = Math.min(total, (long) options.rate() * (now - start) / 1_000_000_000L);
                    for (long line = done + 1; line <= due; line++) {
                        printedAt.set((int) line, now);
                    }
                    if (due > done) {
                        queued.printedUpTo(due);
                        done = due;
                    }
                }
            } catch (Exception e) {
                printFailed.set(e);
            }
        });
        List<Double> millis = new ArrayList<>();
        List<Double> sizes = new ArrayList<>();
        long sent = 0;
        for (int n = queued.nextAppend(options.maxLinesPerAppend()); n > 0; n = queued.nextAppend(options.maxLinesPerAppend())) {
            String[] lines = new String[n];
            for (int i = 0; i < n; i++) {
                lines[i] = "line " + (sent + 1 + i) + " " + padding;
            }
            String ts = Instant.now().toString();
            long before = System.nanoTime();
            for (int i = 1; i <= n; i++) {
                writtenAt.set((int) (sent + i), before);
            }
            long cursor = worker.append(claim, sent + 1, ts, lines);
            millis.add((System.nanoTime() - before) / 1e6);
            sizes.add((double) n);
            if (cursor != sent + n) {
                throw new IOException("the append of lines " + (sent + 1) + ".. answered cursor " + cursor);
            }
            sent += n;
            queued.sentUpTo(sent);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        printer.join();
        if (printFailed.get() != null) {
            throw printFailed.get();
        }
        double[] appendMillis = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] appendLines = sizes.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Writes(start, seconds, appendMillis, appendLines, queued.heldBack());
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
