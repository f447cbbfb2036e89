package dev.traceflow.benchmark;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The ingest benchmark: starts the server, drives it with realistic event batches in four phases
 * (warmup, no-op ceiling, closed-loop ingest, open-loop ingest at half that rate), stops it, checks
 * that every accepted event was stored, and reports. With {@code --envelope}, the phases after the
 * warmup are instead Sentry envelopes beside batches ({@link EnvelopeComparison}).
 *
 * <p>Exit codes: 0 when the run completed, whether or not the targets were met; 1 when the stored
 * count differs from the accepted count (or could not be read); 2 when the server could not be
 * started; 64 for a bad command line.
 */
public final class IngestBenchmark {

    static final String INGEST_PATH = "/api/collect/batch";
    static final String NOOP_PATH = "/bench/noop";
    static final int EXIT_OK = 0;
    static final int EXIT_EVENTS_LOST = 1;
    static final int EXIT_NO_SERVER = 2;
    static final int EXIT_USAGE = 64;
    /** How long the server may take to flush and exit after SIGTERM (brief: 60 s). */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final BenchmarkOptions options;
    private final PrintStream out;
    private final SecureRandom random = new SecureRandom();

    IngestBenchmark(BenchmarkOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        if (BenchmarkOptions.wantsHelp(args)) {
            System.out.println(BenchmarkOptions.USAGE);
            return;
        }
        BenchmarkOptions options;
        try {
            options = BenchmarkOptions.parse(args);
        } catch (BenchmarkOptions.UsageException e) {
            System.err.println(e.getMessage());
            System.exit(EXIT_USAGE);
            return;
        }
        System.exit(new IngestBenchmark(options, System.out).run());
    }

    /** Runs the whole benchmark and returns the process exit code. */
    int run() {
        Instant startedAt = Instant.now();
        List<BatchTemplate> templates = BatchTemplates.generate(
                options.batch(), options.templates(), options.seed(), System.currentTimeMillis());
        double meanBodyBytes = templates.stream().mapToInt(t -> t.body().length).average().orElse(0);
        out.printf(Locale.ROOT, "templates: %d bodies of %d events, mean body %.0f bytes, mean event %.0f bytes%n",
                templates.size(), options.batch(), meanBodyBytes, meanBodyBytes / options.batch());

        ServerUnderTest target;
        try {
            target = options.noServer() ? ServerUnderTest.external(options) : ServerUnderTest.start(options, random, out);
        } catch (ServerStartException e) {
            out.println("FAILED: the server did not start: " + e.getMessage());
            return EXIT_NO_SERVER;
        }

        List<String> notes = new ArrayList<>();
        PhaseResult warmup = null;
        List<PhaseResult> phases = new ArrayList<>();
        Boolean stoppedCleanly = null;
        Duration drain = null;
        Double storedEps = null;
        List<PhaseResources> resources = new ArrayList<>();
        EnvelopeComparison.Summary envelope = null;
        Long serverPid = target.managed() ? target.process().pid() : null;
        try {
            PhaseRunner runner = new PhaseRunner(target.address(), target.ingestKey(), templates,
                    options.connections(), runTag());
            if (!options.warmup().isZero()) {
                warmup = runPhase(runner, LoadPhase.closedLoop("warmup", INGEST_PATH, options.warmup()));
            }
            if (target.managed()) {
                // the server stores the warmup's events after acknowledging them: let it finish, or
                // that work would run during, and lower, the no-op phase
                target.awaitStored();
            }
            if (options.envelope()) {
                EnvelopeComparison.Result result = envelopeComparison(runner, target, templates, serverPid);
                phases.addAll(result.phases());
                resources.addAll(result.resources());
                envelope = result.summary();
            } else {
                PhaseResources.Start phaseStart = PhaseResources.start(serverPid);
                PhaseResult noop = runPhase(runner, LoadPhase.closedLoop("noop", NOOP_PATH, options.duration()));
                phases.add(noop);
                PhaseResources.since(phaseStart, serverPid, noop.name(), noop.acceptedEvents()).ifPresent(resources::add);
                if (target.managed()) {
                    target.awaitStored(); // the warmup's backlog is not the ingest phase's to store
                }
                phaseStart = PhaseResources.start(serverPid);
                PhaseResult ingest = runPhase(runner, LoadPhase.closedLoop("ingest", INGEST_PATH, options.duration()));
                phases.add(ingest);
                if (target.managed()) {
                    drain = target.awaitStored();
                    storedEps = ingest.acceptedEvents() / (ingest.seconds() + drain.toNanos() / 1e9);
                    out.printf(Locale.ROOT, "  stored all of them %.2f s after the phase: %s events/s stored end to end%n",
                            drain.toNanos() / 1e9, BenchmarkReport.number(storedEps));
                }
                PhaseResources.since(phaseStart, serverPid, ingest.name(), ingest.acceptedEvents()).ifPresent(resources::add);
                if (ingest.eventsPerSecond() > 0) {
                    // Half the measured maximum, in requests: the events/s the server showed it can take, / 2;
                    // or the rate asked for with --half-rate.
                    double requestsPerSecond = options.halfRate() > 0 ? (double) options.halfRate() / options.batch()
                            : (storedEps != null ? storedEps : ingest.eventsPerSecond()) / 2 / options.batch();
                    phaseStart = PhaseResources.start(serverPid);
                    PhaseResult half = runPhase(runner, LoadPhase.fixedRate("ingest-half", INGEST_PATH, options.duration(), requestsPerSecond));
                    phases.add(half);
                    if (target.managed()) {
                        target.awaitStored(); // so the CPU window holds the storing of this phase's events too
                    }
                    PhaseResources.since(phaseStart, serverPid, half.name(), half.acceptedEvents()).ifPresent(resources::add);
                } else {
                    notes.add("ingest-half was not run: the ingest phase accepted no events.");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            notes.add("interrupted during the load phases");
        } catch (IOException e) {
            // waiting for the stored events, or (--envelope) asking for app demo's Sentry project
            notes.add("a request to the server's API failed: " + e.getMessage());
        } finally {
            if (target.managed()) {
                out.println("stopping the server (SIGTERM, up to " + STOP_TIMEOUT.toSeconds() + " s)...");
                stoppedCleanly = target.stop(STOP_TIMEOUT);
                if (!stoppedCleanly) {
                    notes.add("the server did not exit within " + STOP_TIMEOUT.toSeconds() + " s of SIGTERM and was killed.");
                }
            }
        }

        // every endpoint but the no-op stores what it accepts: batches, single events, Sentry envelopes
        long accepted = Stream.concat(Stream.ofNullable(warmup), phases.stream())
                .filter(phase -> !phase.endpoint().equals(NOOP_PATH))
                .mapToLong(PhaseResult::acceptedEvents)
                .sum();
        Long stored = null;
        String countError = null;
        if (target.managed()) {
            try {
                stored = StoredEventCounter.count(target.dataDir(), SyntheticEvents.APP_ID);
            } catch (SQLException e) {
                countError = e.getMessage();
            }
        }

        Optional<PhaseResult> noop = find(phases, "noop");
        Optional<PhaseResult> ingest = find(phases, "ingest");
        Optional<PhaseResult> half = find(phases, "ingest-half");
        double noopEps = noop.map(PhaseResult::eventsPerSecond).orElse(0.0);
        double acknowledgedEps = ingest.map(PhaseResult::eventsPerSecond).orElse(0.0);
        // What the targets mean: events stored end to end. The server acknowledges once events are
        // journaled and loads them later, so a short phase could end with a backlog; counting the
        // time to store it makes the figure one the server can keep up.
        double ingestEps = storedEps != null ? storedEps : acknowledgedEps;
        String ingestBasis = storedEps != null
                ? String.format(Locale.ROOT, "stored end to end (acknowledged %s events/s, stored all %.2f s after the phase)",
                        BenchmarkReport.number(acknowledgedEps), drain.toNanos() / 1e9)
                : "acknowledged (the time to store them was not measured)";
        if (envelope == null) {
            notes.add("ingest throughput and ratio use events " + ingestBasis + ".");
        }
        double ratio = noopEps > 0 ? ingestEps / noopEps * 100 : 0;

        List<TargetCheck> checks = new ArrayList<>();
        boolean runFailed;
        if (!target.managed()) {
            checks.add(TargetCheck.skipped("zero loss", "stored == accepted", "skipped (--no-server)"));
            notes.add("--no-server: the server was not started by the benchmark, so its stored events were not counted.");
            runFailed = false;
        } else if (stored == null) {
            checks.add(TargetCheck.of("zero loss", "stored == " + accepted, "count failed: " + countError, false));
            runFailed = true;
        } else {
            checks.add(TargetCheck.of("zero loss", "stored == " + accepted,
                    stored + " stored (" + signed(stored - accepted) + ")", stored == accepted));
            runFailed = stored != accepted;
        }
        if (options.envelope()) {
            // judged on the same events both ways; the issue's literal ratio compares unequal work
            // (one big error per request against 50 small mixed events) and is reported beside it
            double sameEvents = envelope == null || !envelope.sameEventsMeasured() ? 0 : envelope.sameEventsRatio();
            checks.add(TargetCheck.of("envelope-batch / collect-batch-errors (the same events, median)",
                    ">= " + options.targetEnvelopeRatio(), envelope == null ? "not run" : String.format(Locale.ROOT, "%.2f", sameEvents),
                    sameEvents >= options.targetEnvelopeRatio()));
            checks.add(TargetCheck.skipped("envelope / collect-batch (median)", ">= " + options.targetEnvelopeRatio()
                    + " not judged: unequal work", envelope == null ? "not run"
                    : String.format(Locale.ROOT, "%.2f", envelope.issueWordingRatio())));
        } else {
            checks.add(TargetCheck.of("ingest throughput", ">= " + BenchmarkReport.number(options.targetEps()) + " events/s",
                    BenchmarkReport.number(ingestEps) + " events/s", ingestEps >= options.targetEps()));
            checks.add(TargetCheck.of("ingest / noop", ">= " + trim(options.targetRatioPercent()) + " %",
                    String.format(Locale.ROOT, "%.1f %%", ratio), ratio >= options.targetRatioPercent()));
            String halfLoad = options.halfRate() > 0 ? "p99 at " + BenchmarkReport.number(options.halfRate()) + " events/s"
                    : "p99 at half load";
            checks.add(half.map(h -> TargetCheck.of(halfLoad, "< " + trim(options.targetP99Millis()) + " ms",
                            BenchmarkReport.millis(h.p99Ms()) + " ms", h.p99Ms() < options.targetP99Millis()))
                    .orElse(TargetCheck.of(halfLoad, "< " + trim(options.targetP99Millis()) + " ms", "not run", false)));
        }

        if (target.managed()) {
            boolean keep = options.keepData() || runFailed || options.dataDir() != null;
            if (keep) {
                notes.add("data dir kept: " + target.dataDir() + " (server log: server.log)");
            } else {
                BenchmarkSetup.deleteTree(target.dataDir());
            }
        }

        BenchmarkReport report = new BenchmarkReport(startedAt.toString(), configuration(meanBodyBytes), environment(target),
                warmup, phases, ratio, resources, accepted, stored, stoppedCleanly, checks, runFailed, notes, envelope);
        out.println();
        out.print(report.toMarkdown());
        try {
            report.writeJson(options.out());
            out.println("\nresults: " + options.out().toAbsolutePath());
        } catch (IOException e) {
            out.println("\ncould not write " + options.out() + ": " + e.getMessage());
        }
        return runFailed ? EXIT_EVENTS_LOST : EXIT_OK;
    }

    /** The Sentry envelope variants beside the batch endpoint, in alternating rounds (see {@link EnvelopeComparison}). */
    private EnvelopeComparison.Result envelopeComparison(PhaseRunner runner, ServerUnderTest target, List<BatchTemplate> templates,
                                                         Long serverPid) throws IOException, InterruptedException {
        long project = target.sentryProjectId(options);
        List<EnvelopeComparison.Load> loads = EnvelopeComparison.loads(templates, options.batch(), options.templates(),
                options.seed(), System.currentTimeMillis(), runner.hostHeader(), target.ingestKey(), project);
        for (EnvelopeComparison.Load load : loads) {
            out.printf(Locale.ROOT, "%s: %s, %d events per request, mean body %.0f bytes (%.0f per event)%n",
                    load.variant().label, load.path(), load.eventsPerRequest(), load.meanBodyBytes(),
                    load.meanBodyBytes() / load.eventsPerRequest());
        }
        return new EnvelopeComparison(runner, loads, options.connections(), options.envelopeEvents(), options.rounds(),
                options.warmup(), target.managed() ? target::awaitStored : null, serverPid, out).run();
    }

    private PhaseResult runPhase(PhaseRunner runner, LoadPhase phase) throws InterruptedException {
        out.printf(Locale.ROOT, "%s: %s loop on %s for %.1f s%s...%n", phase.name(), phase.openLoop() ? "open" : "closed",
                phase.path(), phase.duration().toMillis() / 1000.0,
                phase.openLoop() ? String.format(Locale.ROOT, " at %.0f req/s", phase.requestsPerSecond()) : "");
        PhaseResult result = runner.run(phase);
        out.printf(Locale.ROOT, "  %d requests, %s events/s, p50 %s ms, p99 %s ms, max %s ms, non-202 %d, I/O errors %d%n",
                result.requests(), BenchmarkReport.number(result.eventsPerSecond()),
                BenchmarkReport.millis(result.p50Ms()), BenchmarkReport.millis(result.p99Ms()),
                BenchmarkReport.millis(result.maxMs()), result.nonSuccess(), result.ioErrors());
        if (result.firstError() != null) {
            out.println("  first error: " + result.firstError());
        }
        return result;
    }

    private Map<String, Object> configuration(double meanBodyBytes) {
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("connections", options.connections());
        config.put("batch", options.batch());
        config.put("templates", options.templates());
        config.put("meanBodyBytes", Math.round(meanBodyBytes));
        config.put("meanEventBytes", Math.round(meanBodyBytes / options.batch()));
        config.put("warmupSeconds", options.warmup().toMillis() / 1000.0);
        config.put("durationSeconds", options.duration().toMillis() / 1000.0);
        config.put("targetEventsPerSecond", options.targetEps());
        config.put("targetRatioPercent", options.targetRatioPercent());
        config.put("targetP99Millis", options.targetP99Millis());
        config.put("seed", options.seed());
        config.put("serverJvmArgs", options.serverJvmArgs());
        config.put("noServer", options.noServer());
        if (options.envelope()) {
            config.put("envelopeRounds", options.rounds());
            config.put("envelopeEvents", options.envelopeEvents());
            config.put("targetEnvelopeRatio", options.targetEnvelopeRatio());
        }
        return config;
    }

    private Map<String, Object> environment(ServerUnderTest target) {
        Map<String, Object> environment = new LinkedHashMap<>();
        environment.put("availableProcessors", Runtime.getRuntime().availableProcessors());
        environment.put("clientCpus", ownCpuAffinity().orElse("unknown"));
        environment.put("serverCpus", options.serverCpus() == null ? "not pinned" : options.serverCpus());
        environment.put("clientJava", Runtime.version().toString());
        environment.put("serverJavaHome", target.javaHome() == null ? null : target.javaHome().toString());
        environment.put("server", target.description());
        environment.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        return environment;
    }

    /** The CPUs this JVM may run on ({@code Cpus_allowed_list}), showing the run script's pinning. */
    static Optional<String> ownCpuAffinity() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/status"))) {
            return lines.filter(line -> line.startsWith("Cpus_allowed_list:"))
                    .map(line -> line.substring(line.indexOf(':') + 1).trim())
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private String runTag() {
        String alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
        StringBuilder tag = new StringBuilder();
        for (int i = 0; i < EventIdSequence.RUN_TAG_LENGTH; i++) {
            tag.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return tag.toString();
    }

    private static Optional<PhaseResult> find(List<PhaseResult> phases, String name) {
        return phases.stream().filter(phase -> phase.name().equals(name)).findFirst();
    }

    private static String signed(long difference) {
        return difference == 0 ? "±0" : (difference > 0 ? "+" : "") + difference;
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
