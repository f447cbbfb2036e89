package dev.traceflow.benchmark;

import dev.traceflow.benchmark.BenchmarkOptions.UsageException;
import org.eclipse.jgit.lib.Repository;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The server process of the build log and trigger benchmarks, on an empty data dir, with a small
 * repository (3 tagged commits) on the harness's loopback git server that the server may reach
 * (TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS), and the admin's API client. Closing it stops the server and
 * removes what the run made (the data dir stays with {@code --keep-data}).
 */
final class BuildBenchServer implements AutoCloseable {

    /** The options of the server a benchmark starts, read alike by each. */
    record Choice(Path jar, String cpus, List<String> jvmArgs, Path dataDir, boolean keepData, Duration readyTimeout) {

        static final String USAGE = """
                  --server-jar FILE      the server (traceflow-server/target/traceflow-server.jar)
                  --server-cpus LIST     taskset -c list for the server
                  --server-jvm-args ARGS extra JVM options of the server
                  --data-dir DIR         the server's data dir (a new temporary one)
                  --keep-data            keep the data dir afterwards
                  --ready-timeout D      wait this long for the server's /healthz (300s)""";

        static Choice read(OptionReader r) throws UsageException {
            return new Choice(r.path("server-jar", "traceflow-server/target/traceflow-server.jar"), r.text("server-cpus", null),
                    r.words("server-jvm-args"), r.path("data-dir", null), r.flag("keep-data"),
                    r.duration("ready-timeout", Duration.ofSeconds(300), false));
        }
    }

    /** A benchmark's command line, for {@link #main}. */
    interface Parser<O> {
        O parse(String[] args) throws UsageException;
    }

    /** A benchmark's run with its options, for {@link #main}: the process's exit code. */
    interface Runner<O> {
        int run(O options, PrintStream out) throws Exception;
    }

    /** The benchmarks' main: --help, the options (a usage error exits with IngestBenchmark.EXIT_USAGE), the run's exit code. */
    static <O> void main(String[] args, String usage, Parser<O> parser, Runner<O> runner) throws Exception {
        if (List.of(args).contains("--help")) {
            System.out.println(usage);
            return;
        }
        O options;
        try {
            options = parser.parse(args);
        } catch (UsageException e) {
            System.err.println(e.getMessage());
            System.exit(IngestBenchmark.EXIT_USAGE);
            return;
        }
        System.exit(runner.run(options, System.out));
    }

    private final Choice choice;
    private final Path dataDir;
    private final Path repos;
    private final LoopbackGitHttpServer git;
    private final Repository repository;
    private final String repoUrl;
    private final String adminPassword = "bench-" + BenchmarkSetup.hex(16);
    private ServerProcess server;
    private ApiClient api;

    private BuildBenchServer(Choice choice, Path dataDir, Path repos) throws IOException {
        this.choice = choice;
        this.dataDir = dataDir;
        this.repos = repos;
        this.git = new LoopbackGitHttpServer();
        this.repository = BuildsBenchmark.repository(repos.resolve("small.git"), 3);
        this.repoUrl = git.serve("small", repository);
    }

    /**
     * Starts the server with {@code settings} (environment variables) besides the benchmark's own.
     *
     * @throws ServerStartException when there is no JDK for it, or it does not become ready
     */
    static BuildBenchServer start(Choice choice, Map<String, String> settings, String why, PrintStream out)
            throws IOException, ServerStartException {
        Path javaHome = JdkFinder.findForServer()
                .orElseThrow(() -> new ServerStartException("no JDK >= " + JdkFinder.MINIMUM_FEATURE_VERSION + " for the server"));
        String prefix = "traceflow-" + why.replace(' ', '-') + "-bench-";
        BuildBenchServer s = new BuildBenchServer(choice, BenchmarkSetup.prepareDataDir(choice.dataDir(), prefix),
                Files.createTempDirectory(prefix + "repos-"));
        try {
            Map<String, String> all = new HashMap<>(settings);
            // the server reaches the loopback git server as an operator's server reaches an internal git host: allowed by name
            all.put("TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS", "127.0.0.1/32");
            var launch = new ServerProcess.Launch(javaHome, choice.jar(), s.dataDir, FreePort.pick(), "tfb_" + BenchmarkSetup.hex(16),
                    choice.cpus(), choice.jvmArgs(), s.adminPassword, all);
            s.server = BenchmarkSetup.startServer(launch, choice.readyTimeout(), why, out);
            s.api = new ApiClient(s.base(), s.adminPassword);
            s.awaitAdmin(Duration.ofSeconds(60));
            return s;
        } catch (IOException | ServerStartException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Logs the admin in, trying again for a while: one trigger run on the loaded machine (2026-12-05) had
     * its first login refused (401) right after /healthz, and the next run of the same jar logged in; the
     * cause was not found (the server creates the admin before it starts serving), so a refusal that lasts
     * still fails the run.
     */
    private void awaitAdmin(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                api.accessToken();
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the admin's login", e);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the admin's login", e);
            }
        }
    }

    String base() {
        return BenchmarkSetup.base(server);
    }

    /** The server process's id (its JVM's: taskset execs it in place). */
    long pid() {
        return server.pid();
    }

    ApiClient api() {
        return api;
    }

    String adminPassword() {
        return adminPassword;
    }

    /** The small repository's URL on the loopback git server. */
    String repoUrl() {
        return repoUrl;
    }

    @Override
    public void close() {
        if (api != null) {
            api.close();
        }
        if (server != null) {
            server.stop(Duration.ofSeconds(30));
        }
        repository.close();
        git.close();
        if (!choice.keepData()) {
            BenchmarkSetup.deleteTree(dataDir);
        }
        BenchmarkSetup.deleteTree(repos);
    }
}
