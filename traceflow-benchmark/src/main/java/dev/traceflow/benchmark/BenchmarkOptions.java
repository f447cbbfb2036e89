package dev.traceflow.benchmark;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line of {@link IngestBenchmark}. Options are {@code --name value} or
 * {@code --name=value}; a repeated option keeps its last value, so a wrapper script can put defaults
 * first and pass the user's arguments after them.
 *
 * @param connections      concurrent keep-alive connections (one thread each)
 * @param batch            events per request
 * @param templates        distinct precomputed request bodies
 * @param warmup           warmup length (ingest endpoint, not reported)
 * @param duration         length of each measured phase
 * @param targetEps        ingest events per second to reach for PASS
 * @param targetRatioPercent ingest events/s as a percentage of no-op events/s to reach for PASS
 * @param targetP99Millis  ingest-half p99 latency must stay below this, in milliseconds
 * @param out              where the JSON results go
 * @param serverJar        the server's fat jar
 * @param serverCpus       {@code taskset -c} list for the server, or null for no pinning
 * @param serverJvmArgs    extra JVM options for the server, e.g. {@code -Xmx2g}
 * @param dataDir          the server's data dir; null for a fresh temporary one
 * @param keepData         keep the data dir (events file, server.log) after a successful run
 * @param readyTimeout     how long to wait for {@code /healthz}
 * @param noServer         run against {@code url} instead of starting a server; skips the stored-count check
 * @param url              the already running server, with {@code noServer}
 * @param key              its ingest key, with {@code noServer}
 * @param seed             random seed of the generated events
 * @param envelope         run the Sentry envelope comparison instead of the noop / ingest / ingest-half phases
 * @param rounds           envelope comparison: rounds of its phases (one per variant), alternating their order
 * @param envelopeEvents   envelope comparison: events every phase sends (rounded up to a whole number
 *                         of requests per connection for every phase)
 * @param sentryProject    envelope comparison with --no-server: app demo's sentryProjectId; null to ask
 *                         the server the benchmark started
 * @param targetEnvelopeRatio envelope-batch events/s ÷ collect-batch-errors events/s (the same events; median) needed for PASS
 * @param halfRate         events/s of the ingest-half phase; 0 = half the ingest phase's stored rate. A fixed
 *                         rate compares two servers (or settings) at the same load, CPU per event included
 */
public record BenchmarkOptions(
        int connections, int batch, int templates, Duration warmup, Duration duration,
        double targetEps, double targetRatioPercent, double targetP99Millis, Path out,
        Path serverJar, String serverCpus, List<String> serverJvmArgs, Path dataDir, boolean keepData,
        Duration readyTimeout, boolean noServer, URI url, String key, long seed,
        boolean envelope, int rounds, long envelopeEvents, Long sentryProject, double targetEnvelopeRatio,
        long halfRate) {

    /**
     * Long enough for the JIT: with 5 s, C2 was still compiling the ingest path through the ingest
     * phase (16 % of the machine's CPU in perf), and both phases measured a half-compiled server.
     */
    static final Duration DEFAULT_WARMUP = Duration.ofSeconds(20);

    static final String USAGE = """
            Usage: IngestBenchmark [options]
              --connections N        concurrent keep-alive connections, one thread each (16)
              --batch N              events per request (50)
              --templates N          distinct precomputed request bodies (64)
              --warmup D             warmup against the ingest endpoint, not reported (20s)
              --duration D           length of each measured phase: noop, ingest, ingest-half (20s)
              --target-eps N         ingest events/s needed for PASS (100000)
              --target-ratio P       ingest/noop events/s in percent needed for PASS (50)
              --target-p99-ms N      ingest-half p99 must be below this for PASS (50)
              --half-rate N          events/s of the ingest-half phase instead of half the ingest
                                     phase's stored rate, to compare two servers at one load (0)
              --out FILE             JSON results (results.json)
              --server-jar FILE      server fat jar (traceflow-server/target/traceflow-server.jar)
              --server-cpus LIST     pin the server with taskset -c LIST, e.g. 0 or 0-1 (no pinning)
              --server-jvm-args "A"  extra JVM options for the server, space separated
              --data-dir DIR         server data dir (a fresh temporary dir)
              --keep-data            keep the data dir after a successful run
              --ready-timeout D      wait this long for /healthz (90s)
              --no-server            use an already running server: needs --url and --key;
                                     the stored-count check is skipped
              --url URL              e.g. http://127.0.0.1:8080
              --key KEY              ingest key of app 'demo' on that server
              --seed N               random seed of the generated events (42)
              --envelope             instead of noop/ingest/ingest-half: Sentry envelopes beside
                                     /api/collect/batch, the same number of events per phase
              --rounds N             envelope comparison: rounds, phase order alternating (3)
              --envelope-events N    envelope comparison: events per phase (50000)
              --sentry-project N     envelope comparison with --no-server: app demo's sentryProjectId
              --target-envelope-ratio R  median envelope-batch/collect-batch-errors events/s
                                     (the same events both ways) for PASS (0.8)
              --help
            Durations: 500ms, 5s, 2m or plain seconds.""";

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m)?");
    private static final List<String> FLAGS = List.of("keep-data", "no-server", "envelope", "help");

    /** Thrown for a command line that cannot be run; the message is meant for the user. */
    public static final class UsageException extends Exception {
        public UsageException(String message) {
            super(message);
        }
    }

    /** True when the arguments ask for help. */
    static boolean wantsHelp(String[] args) {
        return List.of(args).contains("--help") || List.of(args).contains("-h");
    }

    public static BenchmarkOptions parse(String[] args) throws UsageException {
        OptionReader reader = OptionReader.of(args, FLAGS, USAGE);
        BenchmarkOptions options = new BenchmarkOptions(
                reader.positiveInt("connections", 16),
                reader.positiveInt("batch", 50),
                reader.positiveInt("templates", 64),
                reader.duration("warmup", DEFAULT_WARMUP, true),
                reader.duration("duration", Duration.ofSeconds(20), false),
                reader.positiveDouble("target-eps", 100_000),
                reader.positiveDouble("target-ratio", 50),
                reader.positiveDouble("target-p99-ms", 50),
                reader.path("out", "results.json"),
                reader.path("server-jar", "traceflow-server/target/traceflow-server.jar"),
                reader.text("server-cpus", null),
                reader.words("server-jvm-args"),
                reader.path("data-dir", null),
                reader.flag("keep-data"),
                reader.duration("ready-timeout", Duration.ofSeconds(90), false),
                reader.flag("no-server"),
                reader.uri("url"),
                reader.text("key", null),
                reader.longValue("seed", 42),
                reader.flag("envelope"),
                reader.positiveInt("rounds", 3),
                reader.positiveInt("envelope-events", 50_000),
                reader.text("sentry-project", null) == null ? null : (Long) reader.longValue("sentry-project", 0),
                reader.positiveDouble("target-envelope-ratio", 0.8),
                reader.longValue("half-rate", 0));
        reader.rejectUnknown();
        if (options.halfRate() < 0) {
            throw new UsageException("--half-rate must not be negative (0: half the measured maximum)");
        }
        if (options.noServer() && (options.url() == null || options.key() == null)) {
            throw new UsageException("--no-server needs --url and --key");
        }
        if (!options.noServer() && (options.url() != null || options.key() != null)) {
            throw new UsageException("--url and --key are for an already running server: add --no-server");
        }
        if (options.noServer() && options.dataDir() != null) {
            throw new UsageException("--data-dir is for a server the benchmark starts, not with --no-server");
        }
        if (options.envelope() && options.noServer() && options.sentryProject() == null) {
            throw new UsageException("--envelope with --no-server needs --sentry-project (app demo's sentryProjectId)");
        }
        if (options.sentryProject() != null && options.sentryProject() < 1) {
            throw new UsageException("--sentry-project must be a positive integer");
        }
        if (options.connections() > EventIdSequence.MAX_STREAMS / 4) {
            throw new UsageException("--connections must be at most " + EventIdSequence.MAX_STREAMS / 4);
        }
        // every phase takes a stream of event ids per connection
        long envelopePhases = EnvelopeComparison.phaseCount(options.rounds());
        if (options.envelope() && options.connections() * envelopePhases > EventIdSequence.MAX_STREAMS) {
            throw new UsageException("--connections x phases (" + envelopePhases + " for " + options.rounds()
                    + " rounds) must be at most " + EventIdSequence.MAX_STREAMS);
        }
        return options;
    }

    /** Parses {@code 500ms}, {@code 5s}, {@code 2m} or plain seconds ({@code 1.5}). */
    static Duration parseDuration(String text) throws UsageException {
        Matcher matcher = DURATION.matcher(text.trim());
        if (!matcher.matches()) {
            throw new UsageException("not a duration: " + text + " (use e.g. 500ms, 5s, 2m)");
        }
        double amount = Double.parseDouble(matcher.group(1));
        String unit = matcher.group(2) == null ? "s" : matcher.group(2);
        double millis = switch (unit) {
            case "ms" -> amount;
            case "m" -> amount * 60_000;
            default -> amount * 1_000;
        };
        return Duration.ofMillis(Math.round(millis));
    }
}
