package dev.traceflow.benchmark;

import dev.traceflow.benchmark.BenchmarkOptions.UsageException;
import org.eclipse.jgit.lib.BatchRefUpdate;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.NullProgressMonitor;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceiveCommand;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 20's targets against a real server process over HTTP (run by {@code builds-bench.sh}):
 * (A) {@code POST /configs/{id}/validate} of a config against a 50-property JSON Schema, one
 * request at a time after a warm-up: p50, p90, p99, max (target p99 under 5 ms), with the
 * machine's load average before and after; (B) a repository with 10,000 tags (one commit each)
 * served over git's smart HTTP on 127.0.0.1: the first fetch and registration
 * ({@code POST .../versions}), the first page of {@code GET .../versions}, the whole listing page
 * by page (1,000 a page), and a second fetch with nothing new. The server is allowed to reach
 * 127.0.0.1 for git (TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS), as an operator with a local git host does.
 */
public final class BuildsBenchmark {

    /**
     * Validate requests before measuring. The server is pinned to one CPU, so until the C2 compiler has
     * finished with the validate path its compilations take that CPU from the requests, and the p99 measures
     * the JIT's warm-up, not the endpoint (README, "Builds benchmark": the figures at 1,000, 15,000 and 40,000).
     */
    static final int DEFAULT_WARMUP = 40_000;

    static final String USAGE = """
            Usage: builds-bench.sh [options]
              --validate-requests N  measured validate requests (5000)
              --warmup N             validate requests before measuring (40000)
              --tags N               tags of the big repository, one commit each (10000)
              --server-jar FILE      the server (traceflow-server/target/traceflow-server.jar)
              --server-cpus LIST     taskset -c list for the server
              --server-jvm-args ARGS extra JVM options of the server
              --data-dir DIR         the server's data dir (a new temporary one)
              --keep-data            keep the data dir and the repositories afterwards
              --ready-timeout D      wait this long for the server's /healthz (300s)
              --out FILE             JSON results (builds-results.json)
            Durations: 500ms, 5s, 2m or plain seconds.""";

    /** The target of issue 20: validation p99 under 5 ms. */
    static final double TARGET_P99_MILLIS = 5.0;

    record Options(int validateRequests, int warmup, int tags, Path serverJar, String serverCpus, List<String> serverJvmArgs,
                   Path dataDir, boolean keepData, Duration readyTimeout, Path out) {

        static Options parse(String[] args) throws UsageException {
            OptionReader r = OptionReader.of(args, List.of("keep-data", "help"), USAGE);
            var options = new Options(r.positiveInt("validate-requests", 5_000), (int) Math.max(0, r.longValue("warmup", DEFAULT_WARMUP)),
                    r.positiveInt("tags", 10_000), r.path("server-jar", "traceflow-server/target/traceflow-server.jar"),
                    r.text("server-cpus", null), r.words("server-jvm-args"), r.path("data-dir", null), r.flag("keep-data"),
                    r.duration("ready-timeout", Duration.ofSeconds(300), false), r.path("out", "builds-results.json"));
            r.rejectUnknown();
            if (options.tags() > 20_000) {
                throw new UsageException("--tags must be at most 20000 (the server's TRACEFLOW_BUILDS_MAX_TAGS)");
            }
            return options;
        }
    }

    private final Options options;
    private final PrintStream out;

    BuildsBenchmark(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        BuildBenchServer.main(args, USAGE, Options::parse, (options, out) -> new BuildsBenchmark(options, out).run());
    }

    int run() throws IOException, InterruptedException {
        Path javaHome = JdkFinder.findForServer().orElse(null);
        if (javaHome == null) {
            out.println("FAILED: no JDK >= " + JdkFinder.MINIMUM_FEATURE_VERSION + " for the server");
            return QueryBenchmark.EXIT_NO_SERVER;
        }
        Path dataDir = BenchmarkSetup.prepareDataDir(options.dataDir(), "traceflow-builds-bench-");
        Path repos = Files.createTempDirectory("traceflow-builds-bench-repos-");
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("startedAt", Instant.now().toString());
        report.put("machineCpus", machineCpus());
        report.put("harnessCpus", Runtime.getRuntime().availableProcessors()); // fewer when pinned (CLIENT_CPUS)
        report.put("options", Map.of("validateRequests", options.validateRequests(), "warmup", options.warmup(), "tags", options.tags()));
        String adminPassword = "bench-" + BenchmarkSetup.hex(16);
        try (LoopbackGitHttpServer git = new LoopbackGitHttpServer();
             Repository small = repository(repos.resolve("small.git"), 3);
             Repository big = timed(report, "makeRepositorySeconds", () -> repository(repos.resolve("tags.git"), options.tags()))) {
            String smallUrl = git.serve("small", small);
            String bigUrl = git.serve("tags", big);
            // the server reaches the loopback git server as an operator's server reaches an internal git host: allowed by name
            var launch = new ServerProcess.Launch(javaHome, options.serverJar(), dataDir, FreePort.pick(), "tfb_" + BenchmarkSetup.hex(16),
                    options.serverCpus(), options.serverJvmArgs(), adminPassword,
                    Map.of("TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS", "127.0.0.1/32"));
            try (ServerProcess server = BenchmarkSetup.startServer(launch, options.readyTimeout(), "builds", out);
                 ApiClient api = new ApiClient(BenchmarkSetup.base(server), adminPassword)) {
                report.put("validate", validate(api, new InetSocketAddress("127.0.0.1", server.port()), smallUrl));
                report.put("versions", versions(api, bigUrl));
                server.stop(Duration.ofSeconds(30));
            }
        } catch (ServerStartException e) {
            out.println("FAILED: " + e.getMessage());
            return QueryBenchmark.EXIT_NO_SERVER;
        } finally {
            if (!options.keepData()) {
                BenchmarkSetup.deleteTree(dataDir);
                BenchmarkSetup.deleteTree(repos);
            }
        }
        Files.writeString(options.out(), JsonMapper.shared().writerWithDefaultPrettyPrinter().writeValueAsString(report));
        summary(report);
        return 0;
    }

    /**
     * (A) validate: a source with a 50-property schema, a template, a project and a config; then requests one at a time,
     * each timed from its first byte sent to its answer's last byte read on this thread ({@link TimedPost}).
     */
    private Map<String, Object> validate(ApiClient api, InetSocketAddress server, String repoUrl) throws IOException, InterruptedException {
        Map<String, Object> properties = new LinkedHashMap<>();
        Map<String, Object> config = new LinkedHashMap<>();
        for (int i = 0; i < 50; i++) {
            switch (i % 5) {
                case 0 -> {
                    properties.put("s" + i, Map.of("type", "string", "minLength", 1, "maxLength", 200, "pattern", "^[a-z0-9-]+$"));
                    config.put("s" + i, "value-" + i);
                }
                case 1 -> {
                    properties.put("n" + i, Map.of("type", "integer", "minimum", 0, "maximum", 1000));
                    config.put("n" + i, i);
                }
                case 2 -> {
                    properties.put("b" + i, Map.of("type", "boolean"));
                    config.put("b" + i, true);
                }
                case 3 -> {
                    properties.put("e" + i, Map.of("enum", List.of("a", "b", "c")));
                    config.put("e" + i, "b");
                }
                default -> {
                    properties.put("u" + i, Map.of("type", "string", "format", "uri"));
                    config.put("u" + i, "https://example.com/" + i);
                }
            }
        }
        Map<String, Object> schema = Map.of("type", "object", "properties", properties, "required", List.copyOf(properties.keySet()),
                "additionalProperties", false);
        BuildFixture fixture = BuildFixture.create(api, "bench-builds", repoUrl, schema);
        String configId = fixture.config(config);
        double[] millis = new double[options.validateRequests()];
        List<Double> onNewConnections = new ArrayList<>();
        double seconds;
        double[] loadBefore;
        long connections;
        try (TimedPost post = new TimedPost(api, server, "/configs/" + configId + "/validate", "")) {
            for (int i = 0; i < options.warmup(); i++) {
                BuildFixture.expect(post.send(), 200, "POST validate");
            }
            loadBefore = loadAverage();
            long connectionsBefore = post.connections();
            long start = System.nanoTime();
            for (int i = 0; i < millis.length; i++) {
                long opened = post.connections();
                ApiClient.Answer answer = post.send();
                BuildFixture.expect(answer, 200, "POST validate");
                millis[i] = answer.millis();
                if (post.connections() != opened) {
                    onNewConnections.add(answer.millis());
                }
            }
            seconds = (System.nanoTime() - start) / 1e9;
            connections = post.connections() - connectionsBefore;
        }
        double[] loadAfter = loadAverage();
        Arrays.sort(millis);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("requests", millis.length);
        result.put("p50Ms", round(percentile(millis, 0.50)));
        result.put("p90Ms", round(percentile(millis, 0.90)));
        result.put("p99Ms", round(percentile(millis, 0.99)));
        result.put("maxMs", round(millis[millis.length - 1]));
        result.put("requestsPerSecond", round(millis.length / seconds));
        // the server ends a kept-alive connection after some requests: the first request on the next one, apart
        result.put("connectionsOpened", connections);
        double[] fresh = onNewConnections.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        result.put("onNewConnectionP50Ms", fresh.length == 0 ? null : round(percentile(fresh, 0.50)));
        result.put("targetP99Ms", TARGET_P99_MILLIS);
        result.put("targetMet", percentile(millis, 0.99) < TARGET_P99_MILLIS);
        result.put("loadAverageBefore", loadBefore);
        result.put("loadAverageAfter", loadAfter);
        return result;
    }

    /** (B) versions of the repository with many tags: first fetch, first page, whole listing, fetch again. */
    private Map<String, Object> versions(ApiClient api, String repoUrl) throws IOException, InterruptedException {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("loadAverageBefore", loadAverage());
        String source = BuildFixture.created(api, "/git-sources", Map.of("name", "bench-tags", "repoUrl", repoUrl, "defaultBranch", "main"));
        ApiClient.Answer fetched = BuildFixture.expect(api.postJson("/git-sources/" + source + "/versions", ""), 200, "POST versions");
        result.put("firstFetchAndRegisterSeconds", round(fetched.millis() / 1000));
        result.put("registered", fetched.json().path("total").asLong());
        ApiClient.Answer first = BuildFixture.expect(api.get("/git-sources/" + source + "/versions"), 200, "GET versions");
        result.put("firstPageMs", round(first.millis()));
        double listing = 0;
        int listed = 0;
        int pages = 0;
        String cursor = null;
        do {
            ApiClient.Answer page = BuildFixture.expect(api.get("/git-sources/" + source + "/versions?limit=1000"
                    + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8))), 200, "GET versions page");
            listing += page.millis();
            JsonNode json = page.json();
            listed += json.path("items").size();
            pages++;
            cursor = json.path("nextCursor").asString(null);
        } while (cursor != null);
        result.put("wholeListingMs", round(listing));
        result.put("wholeListingPages", pages);
        result.put("listed", listed);
        ApiClient.Answer again = BuildFixture.expect(api.postJson("/git-sources/" + source + "/versions", ""), 200, "POST versions again");
        result.put("fetchAgainNothingNewSeconds", round(again.millis() / 1000));
        result.put("loadAverageAfter", loadAverage());
        if (listed != ((Number) result.get("registered")).intValue()) {
            throw new IOException("the listing had " + listed + " versions, the fetch registered " + result.get("registered"));
        }
        return result;
    }

    private void summary(Map<String, Object> report) {
        @SuppressWarnings("unchecked") Map<String, Object> v = (Map<String, Object>) report.get("validate");
        @SuppressWarnings("unchecked") Map<String, Object> t = (Map<String, Object>) report.get("versions");
        out.println();
        out.println("## Builds benchmark (issue 20)");
        out.println();
        out.printf(Locale.ROOT, "Machine: %d CPUs (harness on %d); load average (1, 5, 15 min) before validate %s, after %s.%n",
                report.get("machineCpus"), report.get("harnessCpus"),
                Arrays.toString((double[]) v.get("loadAverageBefore")), Arrays.toString((double[]) v.get("loadAverageAfter")));
        out.println();
        out.println("| measure | value |");
        out.println("|---|---|");
        out.printf(Locale.ROOT, "| validate, 50-property schema, %s requests one at a time: p50 / p90 / p99 / max | %s / %s / %s / %s ms |%n",
                v.get("requests"), v.get("p50Ms"), v.get("p90Ms"), v.get("p99Ms"), v.get("maxMs"));
        out.printf(Locale.ROOT, "| validate target p99 < %s ms | %s |%n", TARGET_P99_MILLIS, Boolean.TRUE.equals(v.get("targetMet")) ? "met" : "NOT met");
        out.printf(Locale.ROOT, "| validate: connections opened (the server ends one after its keep-alive limit), first request on one p50 | %s, %s ms |%n",
                v.get("connectionsOpened"), v.get("onNewConnectionP50Ms"));
        out.printf(Locale.ROOT, "| %s tags: make the repository | %s s |%n", options.tags(), report.get("makeRepositorySeconds"));
        out.printf(Locale.ROOT, "| first fetch and registration (POST versions), %s versions | %s s |%n", t.get("registered"),
                t.get("firstFetchAndRegisterSeconds"));
        out.printf(Locale.ROOT, "| GET versions, first page (100) | %s ms |%n", t.get("firstPageMs"));
        out.printf(Locale.ROOT, "| GET versions, all %s in %s pages of 1,000 | %s ms |%n", t.get("listed"), t.get("wholeListingPages"),
                t.get("wholeListingMs"));
        out.printf(Locale.ROOT, "| fetch again, nothing new | %s s |%n", t.get("fetchAgainNothingNewSeconds"));
        out.println();
        out.println("Results: " + options.out().toAbsolutePath());
    }

    /**
     * A bare repository of {@code tags} commits on {@code main}, each tagged {@code v<major>.<minor>.<patch>}
     * (lightweight), written straight into the object store and packed refs (no work tree).
     */
    static Repository repository(Path dir, int tags) throws IOException {
        Repository repo = FileRepositoryBuilder.create(dir.toFile());
        repo.create(true);
        BatchRefUpdate batch = repo.getRefDatabase().newBatchUpdate().setAtomic(true);
        ObjectId commit = null;
        try (ObjectInserter inserter = repo.newObjectInserter()) {
            ObjectId emptyTree = inserter.insert(new TreeFormatter());
            for (int i = 0; i < tags; i++) {
                String tag = "v" + i / 1000 + "." + (i / 10) % 100 + "." + i % 10;
                PersonIdent who = new PersonIdent("bench", "bench@example.invalid", Instant.ofEpochSecond(1_700_000_000L + i * 60L),
                        ZoneOffset.UTC);
                CommitBuilder c = new CommitBuilder();
                c.setTreeId(emptyTree);
                if (commit != null) {
                    c.setParentId(commit);
                }
                c.setAuthor(who);
                c.setCommitter(who);
                c.setMessage("release " + tag + "\n");
                commit = inserter.insert(c);
                batch.addCommand(new ReceiveCommand(ObjectId.zeroId(), commit, Constants.R_TAGS + tag));
            }
            inserter.flush();
        }
        batch.addCommand(new ReceiveCommand(ObjectId.zeroId(), commit, Constants.R_HEADS + "main"));
        try (RevWalk walk = new RevWalk(repo)) {
            batch.execute(walk, NullProgressMonitor.INSTANCE);
        }
        for (ReceiveCommand c : batch.getCommands()) {
            if (c.getResult() != ReceiveCommand.Result.OK) {
                throw new IOException("could not create " + c.getRefName() + ": " + c.getResult());
            }
        }
        repo.updateRef(Constants.HEAD).link(Constants.R_HEADS + "main");
        return repo;
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> T timed(Map<String, Object> report, String key, IoSupplier<T> work) throws IOException {
        long start = System.nanoTime();
        T t = work.get();
        report.put(key, round((System.nanoTime() - start) / 1e9));
        return t;
    }

    static double percentile(double[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    /** The machine's CPUs, whatever this process is pinned to ({@code /proc/cpuinfo}; else the ones this JVM sees). */
    static int machineCpus() {
        try {
            long n = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("processor")).count();
            return n > 0 ? (int) n : Runtime.getRuntime().availableProcessors();
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().availableProcessors();
        }
    }

    /** The 1, 5 and 15 minute load averages of the machine ({@code /proc/loadavg}); empty where there is none. */
    static double[] loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return new double[]{Double.parseDouble(parts[0]), Double.parseDouble(parts[1]), Double.parseDouble(parts[2])};
        } catch (IOException | RuntimeException e) {
            return new double[0];
        }
    }
}
