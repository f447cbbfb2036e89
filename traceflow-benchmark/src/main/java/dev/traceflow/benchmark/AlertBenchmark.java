package dev.traceflow.benchmark;

import dev.traceflow.core.event.EventDetails.ErrorDetails;
import dev.traceflow.storage.duckdb.DuckDbStorage;
import dev.traceflow.storage.tests.GeneratedDataset;

import java.io.IOException;
import java.io.PrintStream;
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

/**
 * The alert benchmark of issue 22: what 1,000 threshold rules on one app cost at N stored events,
 * and how soon a new error group is notified, in one run so the figures sit side by side.
 *
 * <p>Steps: the apps, their keys and error groups on an empty data dir ({@link ErrorGroupSeeder});
 * the generated events loaded day by day through {@link DuckDbStorage} in this process
 * ({@link DatasetLoader#loadDayByDay}); then the server on that file, and the phases: (A) no rules,
 * the idle cost; (B) rules that share questions; (C) rules that share none ({@link RulePhase}, both
 * measured by {@link AlertRoundsMeter}); (D) new error groups timed to their webhook and to their
 * listing ({@link NewErrorGroupTrials}). Exit codes: 0 when the run completed (targets met or not),
 * 1 when a trial failed or a rule was never evaluated, 2 when the server could not be started, 64
 * for a bad command line.
 */
public final class AlertBenchmark {

    /** The server's default TRACEFLOW_ALERTS_TICK. */
    static final Duration DEFAULT_TICK = Duration.ofSeconds(5);

    private final AlertBenchmarkOptions options;
    private final PrintStream out;
    private final SecureRandom random = new SecureRandom();

    AlertBenchmark(AlertBenchmarkOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help")) {
            System.out.println(AlertBenchmarkOptions.USAGE);
            return;
        }
        AlertBenchmarkOptions options;
        try {
            options = AlertBenchmarkOptions.parse(args);
        } catch (BenchmarkOptions.UsageException e) {
            System.err.println(e.getMessage());
            System.exit(IngestBenchmark.EXIT_USAGE);
            return;
        }
        System.exit(new AlertBenchmark(options, System.out).run());
    }

    int run() throws IOException, InterruptedException {
        Instant start = Instant.now();
        // the dataset runs on past the start, so rule windows ending "now" hold traffic through every phase
        Instant dataEnd = start.plus(options.dataLead());
        List<String> apps = BenchmarkSetup.appIds(options.apps());
        String appId = apps.getFirst();
        Path dataDir = BenchmarkSetup.prepareDataDir(options.dataDir(), "traceflow-alert-bench-");
        Path javaHome = JdkFinder.findForServer().orElse(null);
        if (javaHome == null) {
            out.println("FAILED: no JDK >= " + JdkFinder.MINIMUM_FEATURE_VERSION + " for the server");
            return QueryBenchmark.EXIT_NO_SERVER;
        }
        Secrets secrets = new Secrets("tfb_" + BenchmarkSetup.hex(16), "bench-" + BenchmarkSetup.hex(16),
                "metrics-" + BenchmarkSetup.hex(16), "hook-" + BenchmarkSetup.hex(16));
        Duration tick = options.alertsTick() == null ? DEFAULT_TICK : options.alertsTick();
        List<String> notes = new ArrayList<>();

        GeneratedDataset dataset = DatasetLoader.sized(options.seed(), options.events(), apps, dataEnd);
        List<ErrorDetails> errorVariants = DatasetLoader.errorVariants(dataset);
        out.printf(Locale.ROOT, "%,d events over %d app(s): %,d visits of %,d users per app, until %s%n", options.events(),
                apps.size(), dataset.visits(), dataset.users(), dataEnd);

        Map<ErrorDetails, String> fingerprints;
        String ingestKey;
        try (ServerProcess server = startServer(javaHome, dataDir, secrets, tick, "seeding the apps and error groups");
             ApiClient api = new ApiClient(BenchmarkSetup.base(server), secrets.adminPassword())) {
            Map<String, String> keys = BenchmarkSetup.createAppsWithKeys(api, apps);
            fingerprints = new ErrorGroupSeeder(api, dataEnd).seed(keys, errorVariants);
            ingestKey = keys.get(appId);
        } catch (ServerStartException e) {
            out.println("FAILED: the server did not start: " + e.getMessage());
            return QueryBenchmark.EXIT_NO_SERVER;
        }

        DatasetLoader.Loaded loaded;
        Path file = dataDir.resolve(StoredEventCounter.EVENT_FILE);
        out.printf(Locale.ROOT, "loading into %s day by day...%n", file);
        try (DuckDbStorage storage = new DuckDbStorage(file, options.effectiveDuckDbThreads(), options.duckDbMemory(),
                1_000_000, "16MB", DuckDbStorage.DEFAULT_ROW_GROUP_SIZE)) {
            loaded = DatasetLoader.loadDayByDay(storage, dataset, fingerprints, dataEnd, out);
        }
        out.printf(Locale.ROOT, "  stored %,d events in %.1f s (%s events/s), %.1f MB%n", loaded.events(), loaded.seconds(),
                BenchmarkReport.number(loaded.eventsPerSecond()), Files.size(file) / 1e6);
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("events", loaded.events());
        load.put("seconds", Math.round(loaded.seconds() * 10) / 10.0);
        load.put("firstEvent", loaded.first().toString());
        load.put("lastEvent", loaded.last().toString());
        load.put("fileBytes", Files.size(file));

        AlertReport report;
        int failures = 0;
        try (ServerProcess server = startServer(javaHome, dataDir, secrets, tick, "serving the loaded file");
             ApiClient api = new ApiClient(BenchmarkSetup.base(server), secrets.adminPassword());
             WebhookReceiver receiver = new WebhookReceiver(secrets.webhookSecret(), NewErrorGroupTrials.MARKER)) {
            out.printf(Locale.ROOT, "settling for %d s...%n", options.settle().toSeconds());
            Thread.sleep(options.settle().toMillis());
            AlertRoundsMeter meter = new AlertRoundsMeter(server.pid(), server.port(), secrets.metricsToken());

            out.printf(Locale.ROOT, "A idle: no rules, %d s...%n", options.measure().toSeconds());
            AlertRoundsMeter.Window idle = meter.measure("A idle", 0, options.measure());
            out.printf(Locale.ROOT, "  server CPU %.2f s/min; load average %.1f -> %.1f%n", idle.serverCpuSecondsPerMinute(),
                    idle.loadAverage()[0], idle.loadAverage()[1]);

            RulePhase rulePhase = new RulePhase(api, appId, meter, options.ruleWarmup(), options.measure(), out);
            RulePhase.Result shared = rulePhase.run("B shared", AlertRuleMix.shared(options.rules()));
            RulePhase.Result unshared = rulePhase.run("C unshared", AlertRuleMix.unshared(options.rules()));
            failures += shared.neverEvaluated() + unshared.neverEvaluated();

            out.printf(Locale.ROOT, "D new error groups: %d trials...%n", options.trials());
            String channelId = webhookChannel(api, appId, receiver.url(), secrets.webhookSecret());
            ApiClient.Answer rule = api.postJson("/api/alerts/rules", "{\"appId\":\"" + appId
                    + "\",\"name\":\"New errors\",\"kind\":\"new_error_group\",\"channelIds\":[\"" + channelId + "\"]}");
            if (rule.status() != 201) {
                throw new IOException("POST /api/alerts/rules answered HTTP " + rule.status() + ": " + rule.body());
            }
            double loadBefore = AlertRoundsMeter.loadAverage();
            NewErrorGroupTrials.Result result = new NewErrorGroupTrials(api, appId, ingestKey, receiver, runTag(), out)
                    .run(options.trials(), options.trialTimeout(), options.trialPause());
            failures += result.failures().size();
            AlertReport.Trials trials = new AlertReport.Trials(result, receiver.received(), receiver.badSignatures(),
                    receiver.unmatched(), new double[] {loadBefore, AlertRoundsMeter.loadAverage()});
            notes.add("Phase D ran with no scheduled rules (C's were deleted); each trial also polled GET /api/errors?fresh=true "
                    + "while its webhook was on the way.");
            notes.add("The dataset reaches " + options.dataLead().toMinutes() + " minutes past the start, so windows ending "
                    + "at the current minute hold its traffic through the run; it was loaded day by day (rows in time order by day).");
            if (options.keepData()) {
                notes.add("data dir kept: " + dataDir);
            }
            report = new AlertReport(configuration(start, apps, dataDir, tick), load, idle, shared, unshared, trials, List.copyOf(notes));
        } catch (ServerStartException e) {
            out.println("FAILED: the server did not start: " + e.getMessage());
            return QueryBenchmark.EXIT_NO_SERVER;
        }
        if (!options.keepData()) {
            BenchmarkSetup.deleteTree(dataDir);
        }
        out.println();
        out.print(report.toMarkdown());
        report.writeJson(options.out());
        out.println("\nresults: " + options.out().toAbsolutePath());
        return failures > 0 ? QueryBenchmark.EXIT_FAILED_REQUESTS : 0;
    }

    /** The run's credentials, all generated: the bootstrap ingest key and admin password, the metrics token, the webhook secret. */
    private record Secrets(String ingestKey, String adminPassword, String metricsToken, String webhookSecret) {
    }

    private ServerProcess startServer(Path javaHome, Path dataDir, Secrets secrets, Duration tick, String why)
            throws ServerStartException, IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("TRACEFLOW_METRICS_TOKEN", secrets.metricsToken());
        // the harness's webhook receiver listens on loopback, which webhooks may not reach unless allowed
        settings.put("TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS", "127.0.0.1/32");
        settings.put("TRACEFLOW_ALERTS_TICK", tick.toMillis() + "ms");
        var launch = new ServerProcess.Launch(javaHome, options.serverJar(), dataDir, FreePort.pick(), secrets.ingestKey(),
                options.serverCpus(), options.serverJvmArgs(), secrets.adminPassword(), settings);
        return BenchmarkSetup.startServer(launch, options.readyTimeout(), why, out);
    }

    private static String webhookChannel(ApiClient api, String appId, String url, String secret) throws IOException, InterruptedException {
        ApiClient.Answer channel = api.postJson("/api/alerts/channels", "{\"appId\":\"" + appId + "\",\"type\":\"webhook\",\"url\":\""
                + url + "\",\"secret\":\"" + secret + "\"}");
        if (channel.status() != 201) {
            throw new IOException("POST /api/alerts/channels answered HTTP " + channel.status() + ": " + channel.body());
        }
        return channel.json().path("id").asString();
    }

    private Map<String, Object> configuration(Instant start, List<String> apps, Path dataDir, Duration tick) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("startedAt", start.toString());
        config.put("events", options.events());
        config.put("apps", apps);
        config.put("rules", options.rules());
        config.put("trials", options.trials());
        config.put("seed", options.seed());
        config.put("dataLeadMinutes", options.dataLead().toMinutes());
        config.put("measureSeconds", options.measure().toSeconds());
        config.put("ruleWarmupSeconds", options.ruleWarmup().toSeconds());
        config.put("alertsTick", tick.toString());
        config.put("dataDir", dataDir.toString());
        config.put("serverCpus", options.serverCpus() == null ? "not pinned" : options.serverCpus());
        config.put("clientCpus", IngestBenchmark.ownCpuAffinity().orElse("unknown"));
        config.put("serverJvmArgs", options.serverJvmArgs());
        config.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        config.put("java", Runtime.version().toString());
        return config;
    }

    /** Letters only: the run's trial markers must survive the fingerprinter's normalisation. */
    private String runTag() {
        StringBuilder tag = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            tag.append((char) ('a' + random.nextInt(26)));
        }
        return tag.toString();
    }
}
