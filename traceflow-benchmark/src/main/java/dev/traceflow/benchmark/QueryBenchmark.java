package dev.traceflow.benchmark;

import com.sun.management.OperatingSystemMXBean;
import dev.traceflow.core.event.EventDetails.ErrorDetails;
import dev.traceflow.storage.duckdb.DuckDbStorage;
import dev.traceflow.storage.tests.GeneratedDataset;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The query benchmark of issue 16: loads N generated events into the DuckDB file a server then
 * opens, times every answer endpoint's storage calls in process ("bare"), then the same requests
 * over HTTP while ingest runs at half its measured maximum, and reports p50 / p95 beside the targets.
 *
 * <p>Steps: (0) a first server start on the empty data dir creates the apps and their error groups
 * and tells the fingerprints of the dataset's errors ({@link ErrorGroupSeeder}); (1) the events are
 * stored through {@link DuckDbStorage}'s writer in this process; (2) bare timings on that storage;
 * (3) the server is started on the loaded file (DuckDB lets one process open a file, so the bare
 * timings must come first and the storage is closed before); (4) the maximum ingest rate, closed
 * loop; (5) with a fixed-rate ingest at half that rate in the background, {@code --query-warmup}
 * passes over other variations of every endpoint (the first timed: the cold figure), then the timed
 * HTTP pass, the server's GC pauses of both read from its GC log; (6) the report, with each
 * variation's own times and which answers met a load of the storage loader ({@link LoadOverlap}).
 * Exit codes: 0 when the run completed (targets met or not), 1 when a request
 * failed, 2 when the server could not be started, 64 for a bad command line.
 */
public final class QueryBenchmark {

    static final int EXIT_FAILED_REQUESTS = 1;
    static final int EXIT_NO_SERVER = 2;
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(120);
    /** The background ingest lasts until the queries end; this only bounds it. */
    static final Duration BACKGROUND_LIMIT = Duration.ofHours(6);

    private final QueryBenchmarkOptions options;
    private final PrintStream out;
    private final SecureRandom random = new SecureRandom();

    QueryBenchmark(QueryBenchmarkOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help")) {
            System.out.println(QueryBenchmarkOptions.USAGE);
            return;
        }
        QueryBenchmarkOptions options;
        try {
            options = QueryBenchmarkOptions.parse(args);
        } catch (BenchmarkOptions.UsageException e) {
            System.err.println(e.getMessage());
            System.exit(IngestBenchmark.EXIT_USAGE);
            return;
        }
        System.exit(new QueryBenchmark(options, System.out).run());
    }

    int run() throws IOException, InterruptedException {
        Instant now = Instant.now();
        List<String> apps = BenchmarkSetup.appIds(options.apps());
        Path dataDir = BenchmarkSetup.prepareDataDir(options.dataDir(), "traceflow-query-bench-");
        Path file = dataDir.resolve("events.duckdb"); // the server's default under TRACEFLOW_DATA_DIR
        Path javaHome = JdkFinder.findForServer().orElse(null);
        if (javaHome == null) {
            out.println("FAILED: no JDK >= " + JdkFinder.MINIMUM_FEATURE_VERSION + " for the server");
            return EXIT_NO_SERVER;
        }
        String ingestKey = "tfb_" + BenchmarkSetup.hex(16);
        String adminPassword = options.adminPassword() != null ? options.adminPassword() : "bench-" + BenchmarkSetup.hex(16);
        QueryReport report = new QueryReport(options, now, apps, dataDir);

        out.printf(Locale.ROOT, "sizing the dataset for %,d events over %d apps...%n", options.events(), apps.size());
        GeneratedDataset dataset = DatasetLoader.sized(options.seed(), options.events(), apps, now);
        List<ErrorDetails> errorVariants = DatasetLoader.errorVariants(dataset);
        out.printf(Locale.ROOT, "  %,d visits of %,d users per app, %d distinct errors%n", dataset.visits(), dataset.users(),
                errorVariants.size());

        // (0) the apps and their error groups, on the empty data dir
        Map<ErrorDetails, String> fingerprints;
        try (ServerProcess server = startServer(javaHome, dataDir, ingestKey, adminPassword, "seeding the apps and error groups");
             ApiClient api = new ApiClient(BenchmarkSetup.base(server), adminPassword)) {
            Map<String, String> keys = BenchmarkSetup.createAppsWithKeys(api, apps);
            fingerprints = new ErrorGroupSeeder(api, now).seed(keys, errorVariants);
            out.println("  fingerprints: " + fingerprints.values());
        } catch (ServerStartException e) {
            out.println("FAILED: the server did not start: " + e.getMessage());
            return EXIT_NO_SERVER;
        }

        // (1) load and (2) bare timings, in this process
        DatasetLoader.Loaded loaded;
        Map<String, Object> compaction;
        Map<String, EndpointTimings> bare = new LinkedHashMap<>();
        KnownIds errors;
        out.printf(Locale.ROOT, "loading into %s (DuckDB threads %d, memory %s)...%n", file, options.effectiveDuckDbThreads(),
                options.duckDbMemory());
        try (DuckDbStorage storage = new DuckDbStorage(file, options.effectiveDuckDbThreads(), options.duckDbMemory(),
                1_000_000, "16MB", DuckDbStorage.DEFAULT_ROW_GROUP_SIZE)) {
            loaded = DatasetLoader.load(storage, dataset::forEachBatch, fingerprints, now, out);
            out.printf(Locale.ROOT, "  stored %,d events in %.1f s: %s events/s (%s events/s in prepare + store alone)%n",
                    loaded.events(), loaded.seconds(), BenchmarkReport.number(loaded.eventsPerSecond()),
                    BenchmarkReport.number(loaded.storeEventsPerSecond()));
            compaction = compact(storage);
            errors = new KnownIds(fingerprints.values().stream().distinct().toList(), loaded.first(), loaded.last(), Map.of(),
                    ReadEndpoints.sessionIds(storage, QueryVariations.of(options.queries(), apps, now),
                            WARMUP_SHIFT.multipliedBy(options.queryWarmup())));
            out.println("bare: the controllers' storage calls, same process, same file, before the server starts");
            for (ReadEndpoint endpoint : ReadEndpoints.all()) {
                bare.put(endpoint.name(), EndpointTimer.timeBare(storage, endpoint, QueryVariations.of(options.queries(), BenchmarkSetup.appIds(options.apps()), now), errors, out));
            }
        }
        long fileBytes = Files.size(file);
        Path wal = dataDir.resolve("events.duckdb.wal");
        long walBytes = Files.exists(wal) ? Files.size(wal) : 0;
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("events", loaded.events());
        load.put("duplicates", loaded.duplicates());
        load.put("skippedAfterNow", loaded.skippedFuture());
        load.put("seconds", QueryReport.round(loaded.seconds()));
        load.put("eventsPerSecond", Math.round(loaded.eventsPerSecond()));
        load.put("storeOnlyEventsPerSecond", Math.round(loaded.storeEventsPerSecond()));
        load.put("firstEvent", loaded.first().toString());
        load.put("lastEvent", loaded.last().toString());
        load.put("fileBytes", fileBytes);
        load.put("walBytes", walBytes);
        load.put("compaction", compaction);
        report.load(load);
        out.printf(Locale.ROOT, "  file %s: %.1f MB (WAL %.1f MB)%n", file, fileBytes / 1e6, walBytes / 1e6);

        // (3) the server on the loaded file, with a GC log read per phase
        Map<String, EndpointTimings> warmup = new LinkedHashMap<>();
        Map<String, EndpointTimings> http = new LinkedHashMap<>();
        Map<String, EndpointTimings> quiet = new LinkedHashMap<>();
        Map<String, Object> gc = new LinkedHashMap<>();
        GcLog gcLog = new GcLog(dataDir.resolve("server-gc.log"));
        Map<String, Object> ingest = new LinkedHashMap<>();
        Map<String, Object> memory = new LinkedHashMap<>();
        Map<String, ServerCpuShares> cpu = new LinkedHashMap<>();
        try (ServerProcess server = startServer(javaHome, dataDir, ingestKey, adminPassword, "serving the loaded file",
                List.of(gcLog.jvmOption(), LoadOverlap.JVM_OPTION));
             ApiClient api = new ApiClient(BenchmarkSetup.base(server), adminPassword)) {
            Thread.sleep(2_000); // let start-up work (retention, error group catch-up) settle before reading RSS
            ProcessMemory.read(server.pid()).ifPresent(m -> memory.put("afterStartRssBytes", m.rssBytes()));
            for (String app : apps) {
                BenchmarkSetup.createApp(api, app); // made by step 0 already: 409 is fine
            }
            errors = errors.withGroupIds(groupIds(api, apps, now));

            // (4) the maximum ingest rate
            InetSocketAddress address = new InetSocketAddress("127.0.0.1", server.port());
            PhaseRunner runner = new PhaseRunner(address, ingestKey,
                    BatchTemplates.generate(options.batch(), 64, options.seed(), System.currentTimeMillis()),
                    options.connections(), runTag());
            if (!options.ingestWarmup().isZero()) {
                phase(runner, LoadPhase.closedLoop("ingest-warmup", IngestBenchmark.INGEST_PATH, options.ingestWarmup()));
            }
            awaitStored(api);
            PhaseResult max = phase(runner, LoadPhase.closedLoop("ingest-max", IngestBenchmark.INGEST_PATH, options.ingestMax()));
            Duration drain = awaitStored(api);
            double maxStored = max.acceptedEvents() / (max.seconds() + drain.toNanos() / 1e9);
            out.printf(Locale.ROOT, "  stored end to end: %s events/s (all stored %.2f s after the phase)%n",
                    BenchmarkReport.number(maxStored), drain.toNanos() / 1e9);
            ingest.put("max", max);
            ingest.put("maxStoredEventsPerSecond", Math.round(maxStored));

            // (5) half that rate (or --ingest-rate) in the background while the queries run
            double halfRequestsPerSecond = (options.ingestRate() > 0 ? options.ingestRate() : maxStored / 2) / options.batch();
            AtomicReference<PhaseResult> half = new AtomicReference<>();
            Thread background = Thread.ofPlatform().name("ingest-half").start(() -> {
                try {
                    half.set(runner.run(LoadPhase.fixedRate("ingest-half", IngestBenchmark.INGEST_PATH, BACKGROUND_LIMIT,
                            halfRequestsPerSecond)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            out.printf(Locale.ROOT, "ingest-half: open loop at %.0f req/s (%s events/s) in the background%n",
                    halfRequestsPerSecond, BenchmarkReport.number(halfRequestsPerSecond * options.batch()));
            AtomicLong peakRss = new AtomicLong();
            Thread sampler = Thread.ofPlatform().daemon().name("rss").start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    ProcessMemory.read(server.pid()).ifPresent(m -> peakRss.accumulateAndGet(m.rssBytes(), Math::max));
                    try {
                        Thread.sleep(500);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            Thread.sleep(2_000); // the background load settles first
            gc.put("collector", gcLog.collector());
            // A dashboard's server is long-lived; without this the timed pass met a JVM ~90 s old, still
            // compiling the answer paths. The first warm-up pass is timed and reported: the cold figure.
            for (int pass = 1; pass <= options.queryWarmup(); pass++) {
                out.printf(Locale.ROOT, "warm-up %d of %d: other variations (ranges %d s earlier), with ingest at half its maximum%n",
                        pass, options.queryWarmup(), WARMUP_SHIFT.toSeconds() * pass);
                List<QueryVariation> others = QueryVariations.of(options.queries(), apps, now.minus(WARMUP_SHIFT.multipliedBy(pass)));
                long mark = gcLog.mark();
                long started = System.nanoTime();
                for (ReadEndpoint endpoint : ReadEndpoints.all()) {
                    EndpointTimings t = EndpointTimer.timeHttp(api, endpoint, others, errors, out);
                    if (pass == 1) {
                        warmup.put(endpoint.name(), t);
                    }
                }
                if (pass == 1) {
                    gc.put("warmup", gcLog.pausesSince(mark).toMap((System.nanoTime() - started) / 1e9));
                }
            }
            out.println("http: the same requests over HTTP, with ingest at half its maximum");
            long mark = gcLog.mark();
            long started = System.nanoTime();
            Optional<ProcessCpu.Snapshot> cpuBefore = ProcessCpu.read(server.pid(), ServerCpuShares::groupOfThread);
            for (ReadEndpoint endpoint : ReadEndpoints.all()) {
                http.put(endpoint.name(), EndpointTimer.timeHttp(api, endpoint, QueryVariations.of(options.queries(), apps, now), errors, out));
            }
            cpuSince(cpuBefore, server.pid(), started).ifPresent(shares -> cpu.put("http", shares));
            GcLog.Pauses pauses = gcLog.pausesSince(mark);
            gc.put("http", pauses.toMap((System.nanoTime() - started) / 1e9));
            out.printf(Locale.ROOT, "  server GC (%s) during the timed requests: %d pauses, %.1f ms in all, longest %.1f ms%n",
                    gc.get("collector"), pauses.count(), pauses.totalMs(), pauses.maxMs());
            if (cpu.get("http") instanceof ServerCpuShares shares) {
                out.println("  server CPU during the timed requests: " + shares.describe());
            }
            ProcessMemory.read(server.pid()).ifPresent(m -> memory.put("endOfQueriesRssBytes", m.rssBytes()));
            sampler.interrupt();
            memory.put("duringQueriesPeakRssBytes", peakRss.get());
            while (background.isAlive()) {
                runner.stopEarly();
                background.join(200);
            }
            PhaseResult halfResult = half.get();
            ingest.put("half", halfResult);
            if (halfResult != null) {
                out.printf(Locale.ROOT, "  ingest-half: %s events/s for %.1f s, p50 %s ms, p99 %s ms, non-202 %d, I/O errors %d%n",
                        BenchmarkReport.number(halfResult.eventsPerSecond()), halfResult.seconds(),
                        BenchmarkReport.millis(halfResult.p50Ms()), BenchmarkReport.millis(halfResult.p99Ms()),
                        halfResult.nonSuccess(), halfResult.ioErrors());
                if (!halfResult.slowBySecond().isEmpty()) {
                    out.println("  answers of 250 ms or more, by the second sent (UTC; the 10 worst): " + halfResult.slowestSeconds(10));
                }
            }
            // (5b) the same requests without ingest: how much of the HTTP time is sharing the CPU with it
            awaitStored(api);
            out.println("quiet: the same requests over HTTP, the background ingest stopped and stored");
            long quietStarted = System.nanoTime();
            Optional<ProcessCpu.Snapshot> quietCpuBefore = ProcessCpu.read(server.pid(), ServerCpuShares::groupOfThread);
            for (ReadEndpoint endpoint : ReadEndpoints.all()) {
                quiet.put(endpoint.name(), EndpointTimer.timeHttp(api, endpoint, QueryVariations.of(options.queries(), apps, now), errors, out));
            }
            cpuSince(quietCpuBefore, server.pid(), quietStarted).ifPresent(shares -> cpu.put("quiet", shares));
            ProcessMemory.read(server.pid()).ifPresent(m -> memory.put("peakRssBytes", m.peakRssBytes()));
        } catch (ServerStartException e) {
            out.println("FAILED: the server did not start on the loaded file: " + e.getMessage());
            return EXIT_NO_SERVER;
        }
        report.ingest(ingest);
        report.serverMemory(memory);
        report.serverGc(gc);
        report.serverCpu(cpu);
        // the server has stopped: its log holds every load of the run
        report.loadOverlap(LoadOverlap.of(LoadOverlap.loads(dataDir.resolve("server.log")), http, quiet));

        // (6) the report
        long failures = report.endpoints(QueryVariations.of(options.queries(), apps, now), bare, warmup, http, quiet,
                options.queries());
        if (!options.keepData()) {
            BenchmarkSetup.deleteTree(dataDir);
        } else {
            report.note("data dir kept: " + dataDir);
        }
        out.println();
        report.write(out, options.out());
        out.println("\nresults: " + options.out().toAbsolutePath());
        return failures > 0 ? EXIT_FAILED_REQUESTS : 0;
    }

    /** The server's CPU since {@code before} (read at {@code startedNanos}), by group; empty where /proc cannot tell. */
    private static Optional<ServerCpuShares> cpuSince(Optional<ProcessCpu.Snapshot> before, long serverPid, long startedNanos) {
        double seconds = (System.nanoTime() - startedNanos) / 1e9;
        return before.flatMap(b -> ProcessCpu.read(serverPid, ServerCpuShares::groupOfThread).map(now -> now.since(b)))
                .flatMap(used -> ServerCpuShares.of(used, seconds));
    }

    /** How much earlier the warm-up pass {@code p} ends its ranges ({@code p} times this): other values, the same statements. */
    static final Duration WARMUP_SHIFT = Duration.ofSeconds(37);

    /**
     * Rewrites the loaded closed days in (app, type, time) order, as the server's background
     * compaction does when each day closes, so that the bare and the HTTP timings read the layout a
     * running server keeps; the time and CPU it took are reported (a live server spreads them over
     * the days, with rests).
     */
    private Map<String, Object> compact(DuckDbStorage storage) {
        long cpuBefore = processCpuNanos();
        long started = System.nanoTime();
        long rows = storage.compactClosedRanges();
        double seconds = (System.nanoTime() - started) / 1e9;
        double cpuSeconds = (processCpuNanos() - cpuBefore) / 1e9;
        out.printf(Locale.ROOT, "  compacted %,d rows of closed days in %.1f s (%.1f s of CPU)%n", rows, seconds, cpuSeconds);
        Map<String, Object> compaction = new LinkedHashMap<>();
        compaction.put("rows", rows);
        compaction.put("seconds", QueryReport.round(seconds));
        compaction.put("cpuSeconds", QueryReport.round(cpuSeconds));
        return compaction;
    }

    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os
                ? os.getProcessCpuTime() : 0;
    }

    private ServerProcess startServer(Path javaHome, Path dataDir, String ingestKey, String adminPassword, String why)
            throws ServerStartException, IOException {
        return startServer(javaHome, dataDir, ingestKey, adminPassword, why, List.of());
    }

    private ServerProcess startServer(Path javaHome, Path dataDir, String ingestKey, String adminPassword, String why,
                                      List<String> moreJvmArgs) throws ServerStartException, IOException {
        List<String> jvmArgs = new ArrayList<>(options.serverJvmArgs());
        jvmArgs.addAll(moreJvmArgs);
        var launch = new ServerProcess.Launch(javaHome, options.serverJar(), dataDir, FreePort.pick(), ingestKey,
                options.serverCpus(), jvmArgs, adminPassword);
        return BenchmarkSetup.startServer(launch, options.readyTimeout(), why, out);
    }

    /** The ids of every app's error groups over the month, most events first. */
    private static Map<String, List<String>> groupIds(ApiClient api, List<String> apps, Instant now)
            throws IOException, InterruptedException {
        Map<String, List<String>> ids = new LinkedHashMap<>();
        for (String app : apps) {
            Map<String, String> params = Map.of("appId", app, "sort", "count", "limit", "100",
                    "from", Long.toString(now.minus(Duration.ofDays(31)).toEpochMilli()), "to", Long.toString(now.toEpochMilli()));
            ApiClient.Answer answer = api.get("/api/errors?" + ApiClient.query(params));
            if (answer.status() != 200) {
                throw new IOException("GET /api/errors answered HTTP " + answer.status() + ": " + answer.body());
            }
            List<String> appIds = new ArrayList<>();
            for (JsonNode group : answer.json().path("items")) {
                appIds.add(group.path("id").asString());
            }
            if (appIds.isEmpty()) {
                throw new IOException("app " + app + " has no error groups");
            }
            ids.put(app, appIds);
        }
        return ids;
    }

    /** Until the server stored everything it acknowledged: GET /api/ingest/stats loads at once (see IngestBenchmark). */
    private static Duration awaitStored(ApiClient api) throws IOException, InterruptedException {
        long start = System.nanoTime();
        ApiClient.Answer answer = api.get("/api/ingest/stats?appId=" + SyntheticEvents.APP_ID);
        if (answer.status() != 200) {
            throw new IOException("GET /api/ingest/stats answered HTTP " + answer.status());
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private PhaseResult phase(PhaseRunner runner, LoadPhase phase) throws InterruptedException {
        out.printf(Locale.ROOT, "%s: closed loop for %.0f s...%n", phase.name(), phase.duration().toMillis() / 1000.0);
        PhaseResult result = runner.run(phase);
        out.printf(Locale.ROOT, "  %s events/s acknowledged, p50 %s ms, p99 %s ms, non-202 %d, I/O errors %d%n",
                BenchmarkReport.number(result.eventsPerSecond()), BenchmarkReport.millis(result.p50Ms()),
                BenchmarkReport.millis(result.p99Ms()), result.nonSuccess(), result.ioErrors());
        return result;
    }

    private String runTag() {
        String alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
        StringBuilder tag = new StringBuilder();
        for (int i = 0; i < EventIdSequence.RUN_TAG_LENGTH; i++) {
            tag.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return tag.toString();
    }

}
