package dev.traceflow.benchmark;

import dev.traceflow.benchmark.BenchmarkOptions.UsageException;
import tools.jackson.databind.json.JsonMapper;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Issue 21's trigger target over HTTP (run by {@code build-trigger-bench.sh}): {@code POST /builds}
 * at {@code rate} a second for {@code seconds} against a server process, as an editor of the
 * project's app. Open loop: each trigger is sent at its scheduled time whatever the earlier ones are
 * doing, and its latency runs from that scheduled time to the answer's last byte, so a server that
 * falls behind shows it instead of slowing the sender down (no coordinated omission). Every trigger
 * names a config of its own (validated before the run), so each is a new snapshot and answers 202;
 * 409s and anything else are counted apart. No worker runs the builds: the run measures the trigger.
 * Target: p99 under 50 ms at 500 a second.
 */
public final class BuildTriggerBenchmark {

    static final String USAGE = """
            Usage: build-trigger-bench.sh [options]
              --rate N[,N...]        triggers a second (500); several (300,400,500): one measured phase at each, in turn
              --seconds N            measured seconds (10), at each rate
              --warmup N             triggers at the same rate before measuring, not counted (2000)
              --metadata-url URL     the server's metadata database (H2 in the data dir); e.g. an empty PostgreSQL database
              --metadata-user NAME   its user (TRACEFLOW_METADATA_USER)
              --out FILE             JSON results (build-trigger-results.json)
            """ + BuildBenchServer.Choice.USAGE;

    static final double TARGET_P99_MILLIS = 50;
    /** the server's largest build.queueCapacity: every trigger of the run stays queued */
    static final int MAX_QUEUED = 10_000;
    /** configs are made and validated by this many clients at once before the run */
    private static final int PREPARE_THREADS = 4;

    record Options(List<Integer> rates, int seconds, int warmup, String metadataUrl, String metadataUser, BuildBenchServer.Choice server,
                   Path out) {

        static Options parse(String[] args) throws UsageException {
            OptionReader r = OptionReader.of(args, List.of("keep-data", "help"), USAGE);
            var options = new Options(rates(r.text("rate", "500")), r.positiveInt("seconds", 10), (int) r.longValue("warmup", 2_000),
                    r.text("metadata-url", null), r.text("metadata-user", null), BuildBenchServer.Choice.read(r),
                    r.path("out", "build-trigger-results.json"));
            r.rejectUnknown();
            if (options.warmup() < 0) {
                throw new UsageException("--warmup must be 0 or more");
            }
            if (options.measured() + options.warmup() > MAX_QUEUED) {
                throw new UsageException("rate x seconds + warmup must be at most " + MAX_QUEUED
                        + " (every triggered build stays queued: the server's build.queueCapacity)");
            }
            if (options.metadataUrl() != null && !options.metadataUrl().startsWith("jdbc:")) {
                throw new UsageException("--metadata-url is a JDBC URL: " + options.metadataUrl());
            }
            return options;
        }

        /** The first rate: the warm-up's. */
        int rate() {
            return rates.getFirst();
        }

        /** Triggers measured over every rate. */
        int measured() {
            return rates.stream().mapToInt(rate -> rate * seconds).sum();
        }

        private static List<Integer> rates(String text) throws UsageException {
            List<Integer> rates = new ArrayList<>();
            for (String part : text.split(",")) {
                try {
                    int rate = Integer.parseInt(part.strip());
                    if (rate < 1) {
                        throw new NumberFormatException();
                    }
                    rates.add(rate);
                } catch (NumberFormatException e) {
                    throw new UsageException("--rate takes positive integers, comma-separated: " + text);
                }
            }
            return List.copyOf(rates);
        }

        /** The server's settings for this run. */
        Map<String, String> serverSettings() {
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("TRACEFLOW_BUILDS_QUEUE_WORKERS", "0"); // nobody runs the builds: the run measures triggers alone
            if (metadataUrl != null) {
                settings.put("TRACEFLOW_METADATA_URL", metadataUrl);
            }
            if (metadataUser != null) {
                settings.put("TRACEFLOW_METADATA_USER", metadataUser);
            }
            return settings;
        }
    }

    /**
     * What an open-loop run saw: latencies in ms from each scheduled send (sorted, of the 202s), answers by status, the
     * seconds the sending took and the seconds from the first send to the last answer (what the server's throughput is
     * measured over: a server that falls behind answers the last trigger after the sending ended).
     */
    record Result(double[] acceptedMillis, Map<Integer, Integer> statuses, double sendSeconds, double answeredSeconds) {

        /** NaN when nothing was accepted (written as null). */
        double percentile(double q) {
            return acceptedMillis.length == 0 ? Double.NaN : BuildsBenchmark.percentile(acceptedMillis, q);
        }

        Map<String, Object> toReport(int rate) {
            int sent = statuses.values().stream().mapToInt(Integer::intValue).sum();
            int accepted = statuses.getOrDefault(202, 0);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("rate", rate);
            r.put("sent", sent);
            r.put("accepted", accepted);
            r.put("conflicts", statuses.getOrDefault(409, 0));
            r.put("statuses", statuses);
            r.put("sendSeconds", round(sendSeconds));
            r.put("answeredSeconds", round(answeredSeconds));
            r.put("acceptedPerSecond", answeredSeconds > 0 ? round(accepted / answeredSeconds) : null);
            r.put("p50Ms", round(percentile(0.50)));
            r.put("p90Ms", round(percentile(0.90)));
            r.put("p99Ms", round(percentile(0.99)));
            r.put("maxMs", round(percentile(1.0)));
            r.put("targetP99Ms", TARGET_P99_MILLIS);
            r.put("targetMet", accepted == sent && percentile(0.99) < TARGET_P99_MILLIS);
            return r;
        }
    }

    private final Options options;

    BuildTriggerBenchmark(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        BuildBenchServer.main(args, USAGE, Options::parse, (options, out) -> new BuildTriggerBenchmark(options).run(out));
    }

    int run(PrintStream out) throws Exception {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("startedAt", Instant.now().toString());
        report.put("machineCpus", BuildsBenchmark.machineCpus());
        report.put("harnessCpus", Runtime.getRuntime().availableProcessors());
        report.put("database", options.metadataUrl() == null ? "h2" : options.metadataUrl().replaceAll("^jdbc:([a-z0-9]+):.*", "$1"));
        report.put("serverJar", options.server().jar().toString());
        try (BuildBenchServer server = BuildBenchServer.start(options.server(), options.serverSettings(), "build triggers", out)) {
            ApiClient api = server.api();
            BuildFixture fixture = BuildFixture.create(api, "bench-triggers", server.repoUrl(), null);
            // every trigger of the run stays queued (no worker): room for all of them
            BuildFixture.expect(api.postJson("/settings", "{\"build.queueCapacity\": " + MAX_QUEUED + "}"), 200, "POST /settings");
            String editorToken = fixture.userToken("trigger-editor", "editor", server.base());
            long prepareStart = System.nanoTime();
            List<String> triggers = validatedConfigs(fixture, server.base(), server.adminPassword(), options.warmup() + options.measured());
            report.put("prepareSeconds", round((System.nanoTime() - prepareStart) / 1e9));
            report.put("loadAverageBefore", BuildsBenchmark.loadAverage());
            try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build()) {
                Sender sender = new Sender(client, URI.create(server.base() + "/builds"), editorToken);
                report.put("warmup", sender.openLoop(triggers.subList(0, options.warmup()), options.rate()).toReport(options.rate()));
                List<Map<String, Object>> byRate = new ArrayList<>();
                int from = options.warmup();
                for (int rate : options.rates()) {
                    int to = from + rate * options.seconds();
                    byRate.add(measured(sender, triggers.subList(from, to), rate, server.pid()));
                    from = to;
                }
                // "triggers": the last rate's, the target's when the rates rise to 500
                report.put("triggers", byRate.getLast());
                if (byRate.size() > 1) {
                    report.put("byRate", byRate);
                }
            }
            report.put("loadAverageAfter", BuildsBenchmark.loadAverage());
        } catch (ServerStartException e) {
            out.println("FAILED: " + e.getMessage());
            return QueryBenchmark.EXIT_NO_SERVER;
        }
        Files.writeString(options.out(), JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        out.println(summary(report));
        @SuppressWarnings("unchecked") Map<String, Object> triggers = (Map<String, Object>) report.get("triggers");
        return Boolean.TRUE.equals(triggers.get("targetMet")) ? 0 : 1;
    }

    /**
     * One measured phase, with the CPU it cost per accepted trigger: the server process's, and that of every
     * PostgreSQL process on the machine (the database's backends; zero on H2, and it counts whatever else uses that
     * PostgreSQL meanwhile), from the first send until the last answer.
     */
    private static Map<String, Object> measured(Sender sender, List<String> bodies, int rate, long serverPid) throws Exception {
        Instant start = Instant.now();
        RunCpu cpu = RunCpu.start(serverPid);
        long databaseBefore = DatabaseCpu.postgresNanos();
        Result result = sender.openLoop(bodies, rate);
        long databaseNanos = DatabaseCpu.postgresNanos() - databaseBefore;
        Map<String, Object> report = result.toReport(rate);
        // the phase's window, to cut a profile of the server to it
        report.put("startedAt", start.toString());
        report.put("endedAt", Instant.now().toString());
        Map<String, Object> used = cpu.report();
        report.put("cpu", used);
        int accepted = (Integer) report.get("accepted");
        @SuppressWarnings("unchecked") Map<String, Object> serverCpu = (Map<String, Object>) used.get("server");
        if (serverCpu != null && accepted > 0) {
            report.put("serverCpuMsPerTrigger", round(((Number) serverCpu.get("cpuSeconds")).doubleValue() * 1e3 / accepted));
        }
        if (accepted > 0) {
            report.put("databaseCpuMsPerTrigger", round(databaseNanos / 1e6 / accepted));
        }
        return report;
    }

    /**
     * The bodies of {@code count} triggers of validated configs, one snapshot each, in projects of
     * {@link BuildFixture#MAX_CONFIGS_PER_PROJECT} configs; made by a few admin clients at once.
     */
    private static List<String> validatedConfigs(BuildFixture fixture, String base, String adminPassword, int count) throws Exception {
        List<BuildFixture> projects = new ArrayList<>(List.of(fixture));
        while (projects.size() * BuildFixture.MAX_CONFIGS_PER_PROJECT < count) {
            projects.add(fixture.anotherProject("bench-triggers-" + projects.size()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(PREPARE_THREADS);
        try {
            List<Future<List<String>>> parts = new ArrayList<>();
            for (int t = 0; t < PREPARE_THREADS; t++) {
                int first = t;
                parts.add(pool.submit(() -> {
                    List<String> bodies = new ArrayList<>();
                    try (ApiClient api = new ApiClient(base, adminPassword)) {
                        for (int n = first; n < count; n += PREPARE_THREADS) {
                            BuildFixture project = projects.get(n / BuildFixture.MAX_CONFIGS_PER_PROJECT).withClient(api);
                            bodies.add(BuildFixture.triggerBody(project.projectId, project.validatedConfig(n)));
                        }
                    }
                    return bodies;
                }));
            }
            List<String> bodies = new ArrayList<>(count);
            for (Future<List<String>> part : parts) {
                bodies.addAll(part.get());
            }
            return bodies;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Sends triggers on a fixed schedule, each on its own, and waits for all their answers. */
    record Sender(HttpClient client, URI uri, String token) {

        Result openLoop(List<String> bodies, int rate) throws Exception {
            int n = bodies.size();
            double[] millis = new double[n];
            int[] status = new int[n];
            List<CompletableFuture<Void>> answers = new ArrayList<>(n);
            long period = 1_000_000_000L / rate;
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                long due = start + i * period;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                int index = i;
                HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(bodies.get(i)))
                        .build();
                answers.add(client.sendAsync(request, BodyHandlers.ofString()).handle((response, failure) -> {
                    millis[index] = (System.nanoTime() - due) / 1e6;
                    status[index] = failure != null ? 0 : response.statusCode();
                    return null;
                }));
            }
            double sendSeconds = (System.nanoTime() - start) / 1e9;
            CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(5, TimeUnit.MINUTES);
            return result(millis, status, sendSeconds, answeredSeconds(millis, period));
        }
    }

    /** Seconds from the first scheduled send to the last answer, trigger {@code i} being due {@code i} periods after the first. */
    static double answeredSeconds(double[] millis, long periodNanos) {
        double last = 0;
        for (int i = 0; i < millis.length; i++) {
            last = Math.max(last, i * periodNanos / 1e9 + millis[i] / 1e3);
        }
        return last;
    }

    /** Latencies of the 202s (sorted) and the count of each status (0: no answer). */
    static Result result(double[] millis, int[] status, double sendSeconds, double answeredSeconds) {
        Map<Integer, Integer> statuses = new TreeMap<>();
        double[] accepted = new double[millis.length];
        int a = 0;
        for (int i = 0; i < millis.length; i++) {
            statuses.merge(status[i], 1, Integer::sum);
            if (status[i] == 202) {
                accepted[a++] = millis[i];
            }
        }
        double[] sorted = Arrays.copyOf(accepted, a);
        Arrays.sort(sorted);
        return new Result(sorted, statuses, sendSeconds, answeredSeconds);
    }

    @SuppressWarnings("unchecked")
    static String summary(Map<String, Object> r) {
        Map<String, Object> t = (Map<String, Object>) r.get("triggers");
        return String.format(Locale.ROOT, "%nBUILD TRIGGER BENCH (%s): POST /builds at %s/s for %.1f s, open loop: %s sent, %s accepted (202), "
                        + "%s conflicts (409), by status %s%n  the last answered after %s s: %s accepted a second%n  latency from the scheduled send (ms, 202s): p50 %s, p90 %s, p99 %s, max %s "
                        + "(target p99 < %s: %s)%n  load average before %s, after %s; server %s%n",
                r.get("database"), t.get("rate"), ((Number) t.get("sendSeconds")).doubleValue(), t.get("sent"), t.get("accepted"),
                t.get("conflicts"), t.get("statuses"), t.get("answeredSeconds"), t.get("acceptedPerSecond"), t.get("p50Ms"), t.get("p90Ms"), t.get("p99Ms"), t.get("maxMs"), t.get("targetP99Ms"),
                Boolean.TRUE.equals(t.get("targetMet")) ? "met" : "NOT met", Arrays.toString((double[]) r.get("loadAverageBefore")),
                Arrays.toString((double[]) r.get("loadAverageAfter")), r.get("serverJar"))
                + cpuLine(t) + byRateLines(r);
    }

    private static String cpuLine(Map<String, Object> t) {
        return t.containsKey("serverCpuMsPerTrigger") ? String.format(Locale.ROOT, "  CPU per accepted trigger: server %s ms, PostgreSQL processes %s ms%n",
                t.get("serverCpuMsPerTrigger"), t.get("databaseCpuMsPerTrigger")) : "";
    }

    @SuppressWarnings("unchecked")
    private static String byRateLines(Map<String, Object> r) {
        if (!(r.get("byRate") instanceof List<?> phases)) {
            return "";
        }
        StringBuilder lines = new StringBuilder("  | rate/s | sent | 202 | other | accepted/s | p50 ms | p90 ms | p99 ms | server CPU ms/trigger | PostgreSQL CPU ms/trigger |\n"
                + "  |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Object phase : phases) {
            Map<String, Object> p = (Map<String, Object>) phase;
            int sent = (Integer) p.get("sent");
            int accepted = (Integer) p.get("accepted");
            lines.append(String.format(Locale.ROOT, "  | %s | %d | %d | %d | %s | %s | %s | %s | %s | %s |%n", p.get("rate"), sent, accepted,
                    sent - accepted, p.get("acceptedPerSecond"), p.get("p50Ms"), p.get("p90Ms"), p.get("p99Ms"),
                    p.get("serverCpuMsPerTrigger"), p.get("databaseCpuMsPerTrigger")));
        }
        return lines.toString();
    }

    private static Double round(double value) {
        return Double.isNaN(value) ? null : Math.round(value * 100) / 100.0;
    }
}
