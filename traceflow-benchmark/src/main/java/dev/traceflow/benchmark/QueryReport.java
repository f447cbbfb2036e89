package dev.traceflow.benchmark;

import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@link QueryBenchmark}'s results: the JSON file ({@code --out}) with the run's configuration, the
 * load, the ingest phases, the server's memory and every endpoint's timings beside its target, in
 * that order, and the Markdown summary it prints.
 */
final class QueryReport {

    private final Map<String, Object> report = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();
    private final List<Map<String, Object>> rows = new ArrayList<>();
    private Map<String, Object> load = Map.of();
    private Map<String, Object> ingest = Map.of();
    private Map<String, Object> memory = Map.of();
    private Map<String, Object> gc = Map.of();
    private Map<String, Object> overlap = Map.of();
    private Map<String, ServerCpuShares> cpu = Map.of();

    /** Starts with the run's configuration. */
    QueryReport(QueryBenchmarkOptions options, Instant now, List<String> apps, Path dataDir) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("startedAt", now.toString());
        config.put("events", options.events());
        config.put("apps", apps);
        config.put("queriesPerEndpoint", options.queries());
        config.put("seed", options.seed());
        config.put("dataDir", dataDir.toString());
        config.put("duckDbThreads", options.effectiveDuckDbThreads());
        config.put("duckDbMemory", options.duckDbMemory());
        config.put("ingestConnections", options.connections());
        config.put("ingestBatch", options.batch());
        config.put("serverCpus", options.serverCpus() == null ? "not pinned" : options.serverCpus());
        config.put("clientCpus", IngestBenchmark.ownCpuAffinity().orElse("unknown"));
        config.put("serverJvmArgs", options.serverJvmArgs());
        config.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        config.put("java", Runtime.version().toString());
        report.put("configuration", config);
    }

    /** The load into the file: events, rates, their time span, the file's size and the compaction. */
    void load(Map<String, Object> load) {
        this.load = load;
        report.put("load", load);
    }

    /** The ingest phases on the server: {@code max} and {@code half} ({@link PhaseResult}s) and the stored rate. */
    void ingest(Map<String, Object> ingest) {
        this.ingest = ingest;
        report.put("ingest", ingest);
    }

    /** The server's resident memory at the points the run read it, in bytes. */
    void serverMemory(Map<String, Object> memory) {
        this.memory = memory;
        report.put("serverMemory", memory);
    }

    /**
     * The server's GC pauses: {@code collector}, and per phase ({@code warmup}, {@code http}) the
     * {@link GcLog.Pauses} map.
     */
    void serverGc(Map<String, Object> gc) {
        this.gc = gc;
        report.put("serverGc", gc);
    }

    /** Where the server's CPU went in each pass ({@code http}, {@code quiet}) that could be measured. */
    void serverCpu(Map<String, ServerCpuShares> cpu) {
        this.cpu = cpu;
        Map<String, Object> byPass = new LinkedHashMap<>();
        cpu.forEach((pass, shares) -> byPass.put(pass, shares.toMap()));
        report.put("serverCpu", byPass);
    }

    /** Which timed answers met a load of the storage loader ({@link LoadOverlap#of}). */
    void loadOverlap(Map<String, Object> overlap) {
        this.overlap = overlap;
        report.put("loadOverlap", overlap);
    }

    /**
     * Every endpoint's bare, warm-up and HTTP timings beside its target, each variation's own times,
     * and notes on how they were taken.
     *
     * @param variations the timed variations, by index
     * @param warmup     the first warm-up pass per endpoint; empty when there was none
     * @param quiet      the same requests as {@code http} once the background ingest stopped and its events were
     *                   stored; empty when that pass did not run
     * @param queries    requests per endpoint
     * @return the timed HTTP requests that did not answer 200 (the warm-up's are reported, not counted)
     */
    long endpoints(List<QueryVariation> variations, Map<String, EndpointTimings> bare, Map<String, EndpointTimings> warmup,
                   Map<String, EndpointTimings> http, Map<String, EndpointTimings> quiet, int queries) {
        long failures = 0;
        for (ReadEndpoint endpoint : ReadEndpoints.all()) {
            EndpointTimings b = bare.get(endpoint.name());
            EndpointTimings w = warmup.get(endpoint.name());
            EndpointTimings h = http.get(endpoint.name());
            EndpointTimings q = quiet.get(endpoint.name());
            failures += h.failures().size();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("endpoint", endpoint.name());
            row.put("targetP95Ms", endpoint.targetMs());
            row.put("bareP50Ms", round(b.percentile(50)));
            row.put("bareP95Ms", round(b.percentile(95)));
            row.put("warmupP50Ms", w == null ? null : round(w.percentile(50)));
            row.put("warmupP95Ms", w == null ? null : round(w.percentile(95)));
            row.put("warmupFailures", w == null ? 0 : w.failures().size());
            row.put("httpP50Ms", round(h.percentile(50)));
            row.put("httpP95Ms", round(h.percentile(95)));
            row.put("httpMaxMs", round(h.percentile(100)));
            row.put("quietP50Ms", q == null ? null : round(q.percentile(50)));
            row.put("quietP95Ms", q == null ? null : round(q.percentile(95)));
            row.put("quietFailures", q == null ? 0 : q.failures().size());
            row.put("requests", h.samples().count() + h.failures().size());
            row.put("failures", h.failures());
            row.put("met", h.failures().isEmpty() && h.samples().count() > 0 && h.samples().percentile(95) < endpoint.targetMs());
            row.put("variations", variationRows(endpoint, variations, b, h, q));
            rows.add(row);
        }
        report.put("endpoints", rows);
        notes.add("bare = the storage calls the endpoint's controller makes, in the harness process on the same file before "
                + "the server started (DuckDB lets only one process open a database file), without ingest running; "
                + "http = the same requests to the server while ingest ran at half its maximum.");
        notes.add("percentiles are nearest-rank over " + queries + " requests per endpoint, after one untimed warmup request (the last variation, run once more first).");
        notes.add("warmup = the first of the --query-warmup passes over other variations (the same requests with ranges ending "
                + QueryBenchmark.WARMUP_SHIFT.toSeconds() + " s earlier) before the timed HTTP pass, with ingest running: "
                + "what a server just started answers; serverGc = the server's GC pauses in those phases (its -Xlog:gc).");
        notes.add("quiet = the timed requests once more after the background ingest stopped and its events were stored: "
                + "the same answers over HTTP without ingest sharing the server's CPU.");
        report.put("notes", notes);
        return failures;
    }

    /** Each variation's parameters and its bare and HTTP times, so a p95 can be traced to the request that made it. */
    private static List<Map<String, Object>> variationRows(ReadEndpoint endpoint, List<QueryVariation> variations,
                                                           EndpointTimings bare, EndpointTimings http, EndpointTimings quiet) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (QueryVariation v : variations) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("index", v.index());
            row.put("app", v.appId());
            row.put("filters", v.filters());
            row.put("breakdown", v.broken());
            row.put("granularity", endpoint.series() ? v.granularity().wireName() : null);
            row.put("zone", endpoint.series() ? v.zone().getId() : null);
            row.put("bareMs", round(at(bare, v.index())));
            row.put("httpMs", round(at(http, v.index())));
            row.put("httpStartedAtMs", http == null || v.index() >= http.startedAt().size() ? null : http.startedAt().get(v.index()));
            row.put("quietMs", round(at(quiet, v.index())));
            list.add(row);
        }
        return list;
    }

    private static Double at(EndpointTimings timings, int index) {
        return timings == null || index >= timings.byVariation().size() ? null : timings.byVariation().get(index);
    }

    /** A note for the results file (after the endpoints' notes). */
    void note(String note) {
        notes.add(note);
    }

    /** Prints the Markdown summary, then writes the results file (its folder made when missing). */
    void write(PrintStream out, Path file) throws IOException {
        out.print(markdown(rows, load, ingest, memory, gc));
        if (overlap.get("loads") instanceof Integer loads && loads > 0) {
            out.printf(Locale.ROOT, "Timed answers that met a load of the storage loader (%d loads; at least %.0f %% of the answer's time): "
                            + "%s, median %s times the same request's quiet time; the %s others %s times. The answer at the p95 rank met "
                            + "one at %s of %s endpoints.%n", loads, LoadOverlap.MET_A_LOAD * 100, overlap.get("answersThatMetALoad"),
                    overlap.get("metALoadMedianOverQuiet"), overlap.get("otherAnswers"), overlap.get("othersMedianOverQuiet"),
                    overlap.get("endpointsWhoseP95AnswerMetALoad"), overlap.get("endpoints"));
        }
        cpu.forEach((pass, shares) -> out.printf(Locale.ROOT, "Server CPU during the %s requests (%s s): %s.%n",
                pass.equals("http") ? "timed" : pass, shares.seconds(), shares.describe()));
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n");
    }

    static String markdown(List<Map<String, Object>> rows, Map<String, Object> load, Map<String, Object> ingest,
                           Map<String, Object> memory) {
        return markdown(rows, load, ingest, memory, Map.of());
    }

    static String markdown(List<Map<String, Object>> rows, Map<String, Object> load, Map<String, Object> ingest,
                           Map<String, Object> memory, Map<String, Object> gc) {
        StringBuilder md = new StringBuilder();
        md.append(String.format(Locale.ROOT, "Loaded %,d events through the storage writer at %,d events/s (%,d events/s "
                        + "in prepare + store alone), from %s to %s; file %.1f MB.%n%n", (long) load.get("events"),
                (long) load.get("eventsPerSecond"), (long) load.get("storeOnlyEventsPerSecond"), load.get("firstEvent"),
                load.get("lastEvent"), (long) load.get("fileBytes") / 1e6));
        if (load.get("compaction") instanceof Map<?, ?> compaction) {
            md.append(String.format(Locale.ROOT, "Compacted %,d rows of closed days before the timings in %s s (%s s of CPU).%n%n",
                    (long) compaction.get("rows"), compaction.get("seconds"), compaction.get("cpuSeconds")));
        }
        md.append("| endpoint | target p95 | bare p50 | bare p95 | warm-up p50 | warm-up p95 | HTTP p50 | HTTP p95 | HTTP max | non-200 "
                + "| met | quiet p50 | quiet p95 |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|\n");
        for (Map<String, Object> row : rows) {
            md.append(String.format(Locale.ROOT, "| %s | < %.0f ms | %s | %s | %s | %s | %s | %s | %s | %d | %s | %s | %s |%n",
                    row.get("endpoint"), (double) row.get("targetP95Ms"), ms(row.get("bareP50Ms")), ms(row.get("bareP95Ms")),
                    ms(row.get("warmupP50Ms")), ms(row.get("warmupP95Ms")), ms(row.get("httpP50Ms")),
                    ms(row.get("httpP95Ms")), ms(row.get("httpMaxMs")), ((List<?>) row.get("failures")).size(),
                    Boolean.TRUE.equals(row.get("met")) ? "yes" : "**no**", ms(row.get("quietP50Ms")), ms(row.get("quietP95Ms"))));
        }
        md.append('\n');
        if (ingest.get("max") instanceof PhaseResult max) {
            md.append(String.format(Locale.ROOT, "Ingest maximum (closed loop, %.0f s): %s events/s acknowledged, %s events/s "
                            + "stored end to end.%n", max.seconds(), BenchmarkReport.number(max.eventsPerSecond()),
                    BenchmarkReport.number(((Number) ingest.get("maxStoredEventsPerSecond")).doubleValue())));
        }
        if (ingest.get("half") instanceof PhaseResult half) {
            md.append(String.format(Locale.ROOT, "Ingest during the queries (open loop at half the maximum, %.0f s): %s events/s "
                            + "(asked %s), p50 %s ms, p99 %s ms, non-202 %d, I/O errors %d.%n",
                    half.seconds(), BenchmarkReport.number(half.eventsPerSecond()),
                    BenchmarkReport.number(half.targetRequestsPerSecond() * (half.requests() == 0 ? 0
                            : (double) half.acceptedEvents() / Math.max(1, half.requests()))),
                    BenchmarkReport.millis(half.p50Ms()), BenchmarkReport.millis(half.p99Ms()), half.nonSuccess(), half.ioErrors()));
            if (!half.slowBySecond().isEmpty()) {
                md.append("Its answers of 250 ms or more, by the second their request was due (UTC; the 10 worst seconds): ")
                        .append(half.slowestSeconds(10)).append(".\n");
            }
        }
        for (String phase : List.of("warmup", "http")) {
            if (gc.get(phase) instanceof Map<?, ?> p) {
                md.append(String.format(Locale.ROOT, "Server GC (%s) during the %s requests: %s pauses, %s ms in all (%s %% of %s s), "
                                + "longest %s ms, %s of 50 ms or more.%n", gc.get("collector"),
                        phase.equals("http") ? "timed" : "warm-up", p.get("pauses"), p.get("totalMs"), p.get("pausedPercent"),
                        p.get("phaseSeconds"), p.get("maxMs"), p.get("pausesOver50Ms")));
            }
        }
        md.append(String.format(Locale.ROOT, "Server resident memory: %s after start on the loaded file, %s at most during "
                        + "the queries (sampled every 0.5 s), %s at the end of the queries, peak since start %s.%n",
                mb(memory.get("afterStartRssBytes")), mb(memory.get("duringQueriesPeakRssBytes")),
                mb(memory.get("endOfQueriesRssBytes")), mb(memory.get("peakRssBytes"))));
        return md.toString();
    }

    /** Two decimals, as the results show times and rates. */
    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    /** Two decimals, or null for no value. */
    static Double round(Double value) {
        return value == null ? null : round(value.doubleValue());
    }

    private static String ms(Object value) {
        return value == null ? "-" : BenchmarkReport.millis((double) value);
    }

    private static String mb(Object bytes) {
        return bytes == null ? "unknown" : String.format(Locale.ROOT, "%.0f MB", ((Number) bytes).longValue() / 1e6);
    }
}
