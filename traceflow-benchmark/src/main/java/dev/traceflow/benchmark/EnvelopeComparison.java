package dev.traceflow.benchmark;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Issue 23's target, measured: Sentry envelope ingest beside {@code /api/collect/batch} in the same
 * run, with the same number of events in every phase. Five variants, each a closed-loop phase that
 * sends a fixed number of events as fast as the server answers, then waits until they are stored:
 *
 * <ul>
 *   <li>{@code collect-batch}: TraceFlow batches of {@code --batch} mixed events (the baseline);</li>
 *   <li>{@code envelope}: one {@code @sentry/browser} error event per envelope, as the SDKs send,
 *       authenticated as the browser SDK does (the DSN's key in {@code ?sentry_key=}, text/plain);</li>
 *   <li>{@code envelope-batch}: {@code --batch} such events as items of one envelope, the same
 *       batching as the baseline;</li>
 *   <li>{@code collect-single}: one TraceFlow event per {@code POST /api/collect}, the same
 *       one-event-per-request shape as {@code envelope};</li>
 *   <li>{@code collect-batch-errors}: the batched envelopes' errors, the same events, as TraceFlow
 *       batches in TraceFlow's own error shape: the fair baseline of {@code envelope-batch}.</li>
 * </ul>
 *
 * The variants run in rounds whose order alternates (forward, then backward), so a noisy stretch of
 * the shared machine hits every variant; the summary gives each round's events/s, the ratios of
 * each round and their medians.
 */
final class EnvelopeComparison {

    static final String COLLECT_SINGLE_PATH = "/api/collect";
    /** A fixed-work phase stops here even if its events are not all sent (the summary says so). */
    static final Duration PHASE_TIME_LIMIT = Duration.ofMinutes(5);
    private static final int SENTRY_SUCCESS = 200;

    enum Variant {
        COLLECT_BATCH("collect-batch", "one TraceFlow event (40 % page views, 5 % errors...) of a batch"),
        ENVELOPE("envelope", "one @sentry/browser error event, alone in its envelope (one request)"),
        ENVELOPE_BATCH("envelope-batch", "one @sentry/browser error event, an item of a batched envelope"),
        COLLECT_SINGLE("collect-single", "one TraceFlow event of the same mix, alone in its request"),
        COLLECT_BATCH_ERRORS("collect-batch-errors", "the envelope's @sentry/browser error in TraceFlow's own error shape, an event of a batch");

        final String label;
        final String oneEvent;

        Variant(String label, String oneEvent) {
            this.label = label;
            this.oneEvent = oneEvent;
        }
    }

    /** Each variant is warmed up once before the rounds, the batch baseline last (see {@link #run}). */
    static final List<Variant> WARMUP_ORDER = List.of(Variant.ENVELOPE, Variant.ENVELOPE_BATCH, Variant.COLLECT_SINGLE,
            Variant.COLLECT_BATCH_ERRORS, Variant.COLLECT_BATCH);

    /**
     * The ratios reported, numerator over denominator: first issue 23's wording (envelope over
     * collect-batch, unequal work: one browser error per request against batches of mixed events),
     * last its target on equal work ({@link Summary#sameEventsRatio}).
     */
    static final List<Variant[]> RATIOS = List.of(
            new Variant[] {Variant.ENVELOPE, Variant.COLLECT_BATCH},
            new Variant[] {Variant.ENVELOPE, Variant.COLLECT_SINGLE},
            new Variant[] {Variant.ENVELOPE_BATCH, Variant.COLLECT_BATCH},
            // the same errors, the same batching: what the envelope format itself costs
            new Variant[] {Variant.ENVELOPE_BATCH, Variant.COLLECT_BATCH_ERRORS});

    /** Waits until the server has stored everything it acknowledged, and says how long that took. */
    interface Storage {
        Duration awaitStored() throws IOException, InterruptedException;
    }

    /** What one variant sends. */
    record Load(Variant variant, String path, int eventsPerRequest, double meanBodyBytes, List<PreparedRequest> requests,
                int successStatus) {
    }

    /**
     * @param variant   the variant's label
     * @param endpoint  its path
     * @param eventsPerRequest events in one request
     * @param requestsPerConnection what each connection sends in one phase
     * @param meanBodyBytes  mean request body
     * @param meanEventBytes mean body bytes per event
     * @param oneEvent  what one counted event is
     */
    record VariantDescription(String variant, String endpoint, int eventsPerRequest, long requestsPerConnection,
                              long meanBodyBytes, long meanEventBytes, String oneEvent) {
    }

    /**
     * One phase of one round.
     *
     * @param events          events the server accepted
     * @param seconds         from the phase's start until its last answer
     * @param storeSeconds    from then until the server had stored them; null when not measured (--no-server)
     * @param eventsPerSecond events ÷ (seconds + storeSeconds): stored end to end; acknowledged without storeSeconds
     * @param acknowledgedEventsPerSecond events ÷ seconds
     * @param failedRequests  answers other than the success status, and I/O errors
     */
    record Measurement(String variant, int round, long events, double seconds, Double storeSeconds, double eventsPerSecond,
                       double acknowledgedEventsPerSecond, long failedRequests) {
    }

    /** A ratio of two variants' events/s, per round and the median of those. */
    record Ratio(String name, List<Double> perRound, double median) {
    }

    /**
     * @param eventsPerPhase        every phase's events
     * @param storedEndToEnd        events/s count the time until stored (false with --no-server)
     * @param medianEventsPerSecond per variant, over the rounds
     */
    record Summary(long eventsPerPhase, int rounds, boolean storedEndToEnd, List<VariantDescription> variants,
                   List<Measurement> measurements, Map<String, Double> medianEventsPerSecond, List<Ratio> ratios) {

        /**
         * The issue's ratio in its words: envelope over collect-batch, the median of the rounds. Not
         * the same events: one ~3,000-byte browser error per request against batches of ~378-byte
         * mixed events, so it measures the workload more than the endpoint.
         */
        double issueWordingRatio() {
            return ratios.getFirst().median();
        }

        /**
         * What the target is judged on: batched envelopes over the same errors as TraceFlow batches
         * (same seed, same batching, same number of events), the median of the rounds; only the
         * format differs.
         */
        double sameEventsRatio() {
            return ratios.getLast().median();
        }

        /** Whether {@link #sameEventsRatio} was measured in any round. */
        boolean sameEventsMeasured() {
            return !ratios.getLast().perRound().isEmpty();
        }

        String toMarkdown() {
            StringBuilder md = new StringBuilder();
            md.append(String.format(Locale.ROOT, "Envelope ingest beside /api/collect/batch: %,d events per phase, %d rounds "
                    + "(order alternating), events/s %s:%n%n", eventsPerPhase, rounds,
                    storedEndToEnd ? "stored end to end" : "acknowledged"));
            md.append("| variant | endpoint | events/request | bytes/event |");
            for (int r = 1; r <= rounds; r++) {
                md.append(" round ").append(r).append(" |");
            }
            md.append(" median | one event is |\n|---|---|---:|---:|").append("---:|".repeat(rounds)).append("---:|---|\n");
            for (VariantDescription v : variants) {
                md.append("| ").append(v.variant()).append(" | `").append(v.endpoint()).append("` | ").append(v.eventsPerRequest())
                        .append(" | ").append(v.meanEventBytes()).append(" |");
                for (int r = 1; r <= rounds; r++) {
                    int round = r;
                    md.append(' ').append(measurements.stream()
                            .filter(m -> m.variant().equals(v.variant()) && m.round() == round)
                            .map(m -> BenchmarkReport.number(m.eventsPerSecond()) + (m.failedRequests() > 0 ? " (" + m.failedRequests()
                                    + " failed)" : ""))
                            .findFirst().orElse("-")).append(" |");
                }
                md.append(" **").append(BenchmarkReport.number(medianEventsPerSecond.getOrDefault(v.variant(), 0.0)))
                        .append("** | ").append(v.oneEvent()).append(" |\n");
            }
            md.append("\n| ratio |");
            for (int r = 1; r <= rounds; r++) {
                md.append(" round ").append(r).append(" |");
            }
            md.append(" median |\n|---|").append("---:|".repeat(rounds + 1)).append('\n');
            for (Ratio ratio : ratios) {
                md.append("| ").append(ratio.name()).append(" |");
                ratio.perRound().forEach(value -> md.append(String.format(Locale.ROOT, " %.2f |", value)));
                md.append(String.format(Locale.ROOT, " **%.2f** |%n", ratio.median()));
            }
            md.append("\nThe target is judged on ").append(ratios.getLast().name()).append(": the same errors, batched alike, "
                    + "in either format. ").append(ratios.getFirst().name()).append(" is the issue's wording on unequal work "
                    + "(one browser error per request against batches of the usual mix).\n");
            return md.toString();
        }
    }

    /** Every phase run (warmups included, for the loss check), each measured phase's CPU, and the summary. */
    record Result(List<PhaseResult> phases, List<PhaseResources> resources, Summary summary) {
    }

    private final PhaseRunner runner;
    private final List<Load> loads;
    private final int connections;
    private final long eventsPerPhase;
    private final int rounds;
    private final Duration warmup;
    private final Storage storage;
    private final Long serverPid;
    private final PrintStream out;

    /**
     * @param loads     the variants in {@link Variant} order
     * @param storage   null when the server is not ours (events/s are then acknowledged ones)
     * @param serverPid null when the server's CPU cannot be read
     */
    EnvelopeComparison(PhaseRunner runner, List<Load> loads, int connections, long events, int rounds, Duration warmup,
                       Storage storage, Long serverPid, PrintStream out) {
        this.runner = runner;
        this.loads = loads;
        this.connections = connections;
        this.eventsPerPhase = eventsPerPhase(events, connections, loads.stream().mapToInt(Load::eventsPerRequest).max().orElse(1));
        this.rounds = rounds;
        this.warmup = warmup;
        this.storage = storage;
        this.serverPid = serverPid;
        this.out = out;
    }

    /**
     * The variants' requests.
     *
     * @param batchTemplates the run's TraceFlow batches ({@code --batch} events each)
     * @param sentryProject  app demo's sentryProjectId, the DSN's project
     * @param ingestKey      app demo's ingest key, the DSN's key
     */
    static List<Load> loads(List<BatchTemplate> batchTemplates, int batch, int templates, long seed, long nowMillis,
                            String hostPort, String ingestKey, long sentryProject) {
        String envelopePath = "/api/" + sentryProject + "/envelope/";
        // @sentry/browser's transport: the DSN's key in the query, so the browser needs no preflight
        String envelopeQuery = "?sentry_version=7&sentry_key=" + URLEncoder.encode(ingestKey, StandardCharsets.UTF_8)
                + "&sentry_client=" + URLEncoder.encode(SentryBrowserEvents.SDK_NAME + "/" + SentryBrowserEvents.SDK_VERSION,
                StandardCharsets.UTF_8);
        List<BatchTemplate> singles = BatchTemplates.singles(templates, seed, nowMillis);
        List<BatchTemplate> envelopes = EnvelopeTemplates.generate(1, templates, seed, nowMillis, ingestKey);
        // a batched envelope is ~50 times the size of one: fewer of them keep the per-connection copies small
        List<BatchTemplate> batchedEnvelopes = EnvelopeTemplates.generate(batch, Math.max(1, templates / 4), seed, nowMillis,
                ingestKey);
        List<BatchTemplate> errorBatches = EnvelopeTemplates.asTraceFlowBatches(batch, Math.max(1, templates / 4), seed, nowMillis,
                ingestKey);
        return List.of(
                load(Variant.COLLECT_BATCH, IngestBenchmark.INGEST_PATH, batch, LoadPhase.ACCEPTED, batchTemplates,
                        t -> PreparedRequest.post(t, IngestBenchmark.INGEST_PATH, hostPort, ingestKey)),
                load(Variant.ENVELOPE, envelopePath, 1, SENTRY_SUCCESS, envelopes,
                        t -> PreparedRequest.post(t, envelopePath + envelopeQuery, hostPort, "text/plain;charset=UTF-8", Map.of())),
                load(Variant.ENVELOPE_BATCH, envelopePath, batch, SENTRY_SUCCESS, batchedEnvelopes,
                        t -> PreparedRequest.post(t, envelopePath + envelopeQuery, hostPort, "text/plain;charset=UTF-8", Map.of())),
                load(Variant.COLLECT_SINGLE, COLLECT_SINGLE_PATH, 1, LoadPhase.ACCEPTED, singles,
                        t -> PreparedRequest.post(t, COLLECT_SINGLE_PATH, hostPort, ingestKey)),
                load(Variant.COLLECT_BATCH_ERRORS, IngestBenchmark.INGEST_PATH, batch, LoadPhase.ACCEPTED, errorBatches,
                        t -> PreparedRequest.post(t, IngestBenchmark.INGEST_PATH, hostPort, ingestKey)));
    }

    private static Load load(Variant variant, String path, int eventsPerRequest, int successStatus, List<BatchTemplate> templates,
                             Function<BatchTemplate, PreparedRequest> prepare) {
        double meanBody = templates.stream().mapToInt(t -> t.body().length).average().orElse(0);
        return new Load(variant, path, eventsPerRequest, meanBody, templates.stream().map(prepare).toList(), successStatus);
    }

    /** Phases a run of {@code rounds} takes: the ingest warmup, one warmup per variant, then one per variant in each round. */
    static long phaseCount(int rounds) {
        return 1 + WARMUP_ORDER.size() + (long) Variant.values().length * rounds;
    }

    /** {@code events} rounded up so every variant sends it as whole requests on every connection. */
    static long eventsPerPhase(long events, int connections, int largestRequest) {
        long unit = (long) connections * largestRequest;
        return Math.max(1, (events + unit - 1) / unit) * unit;
    }

    /** The variants' order in round {@code round} (from 1): forward in odd rounds, backward in even ones. */
    static List<Variant> order(int round) {
        List<Variant> order = new ArrayList<>(List.of(Variant.values()));
        if (round % 2 == 0) {
            Collections.reverse(order);
        }
        return order;
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    /** The medians and the ratios of each round, from the measurements. */
    static Summary summarize(long eventsPerPhase, int rounds, boolean stored, List<VariantDescription> variants,
                             List<Measurement> measurements) {
        Map<String, Double> medians = new LinkedHashMap<>();
        for (Variant v : Variant.values()) {
            medians.put(v.label, median(measurements.stream().filter(m -> m.variant().equals(v.label))
                    .map(Measurement::eventsPerSecond).toList()));
        }
        List<Ratio> ratios = new ArrayList<>();
        for (Variant[] pair : RATIOS) {
            List<Double> perRound = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                Double top = eventsPerSecond(measurements, pair[0], r);
                Double bottom = eventsPerSecond(measurements, pair[1], r);
                if (top != null && bottom != null && bottom > 0) {
                    perRound.add(top / bottom);
                }
            }
            ratios.add(new Ratio(pair[0].label + " / " + pair[1].label, perRound, median(perRound)));
        }
        return new Summary(eventsPerPhase, rounds, stored, variants, measurements, medians, ratios);
    }

    private static Double eventsPerSecond(List<Measurement> measurements, Variant variant, int round) {
        return measurements.stream().filter(m -> m.variant().equals(variant.label) && m.round() == round)
                .map(Measurement::eventsPerSecond).findFirst().orElse(null);
    }

    /** Warms up every variant, then runs the rounds. */
    Result run() throws InterruptedException, IOException {
        List<PhaseResult> phases = new ArrayList<>();
        List<PhaseResources> resources = new ArrayList<>();
        List<VariantDescription> variants = loads.stream().map(load -> new VariantDescription(load.variant().label, load.path(),
                load.eventsPerRequest(), requestsPerConnection(load), Math.round(load.meanBodyBytes()),
                Math.round(load.meanBodyBytes() / load.eventsPerRequest()), load.variant().oneEvent)).toList();
        if (!warmup.isZero()) {
            // The ingest warmup compiled the batch path; the others' code needs its turn, and the batch
            // path goes again last: the other variants' events change what the JIT saw in the code all
            // share (pipeline, journal, loader), and the first batch phase measured ~3 times lower
            // than the later ones while it was compiled again.
            Duration each = warmup.dividedBy(2);
            for (Variant variant : WARMUP_ORDER) {
                Load load = load(variant);
                phases.add(runPhase(new LoadPhase("warmup " + variant.label, load.path(), each, 0, 0, load.successStatus()), load));
                awaitStored();
            }
        }
        List<Measurement> measurements = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (Variant variant : order(round)) {
                Load load = load(variant);
                String name = variant.label + " r" + round;
                PhaseResources.Start start = PhaseResources.start(serverPid);
                PhaseResult result = runPhase(LoadPhase.fixedWork(name, load.path(), PHASE_TIME_LIMIT, requestsPerConnection(load),
                        load.successStatus()), load);
                phases.add(result);
                Duration stored = awaitStored();
                PhaseResources.since(start, serverPid, name, result.acceptedEvents()).ifPresent(resources::add);
                double seconds = result.seconds() + (stored == null ? 0 : stored.toNanos() / 1e9);
                Measurement m = new Measurement(variant.label, round, result.acceptedEvents(), result.seconds(),
                        stored == null ? null : stored.toNanos() / 1e9, seconds > 0 ? result.acceptedEvents() / seconds : 0,
                        result.eventsPerSecond(), result.failedRequests());
                measurements.add(m);
                out.printf(Locale.ROOT, "  %s: %s events in %.2f s + %.2f s to store: %s events/s%n", name,
                        BenchmarkReport.number(m.events()), m.seconds(), m.storeSeconds() == null ? 0 : m.storeSeconds(),
                        BenchmarkReport.number(m.eventsPerSecond()));
            }
        }
        return new Result(phases, resources, summarize(eventsPerPhase, rounds, storage != null, variants, measurements));
    }

    private Load load(Variant variant) {
        return loads.stream().filter(l -> l.variant() == variant).findFirst().orElseThrow();
    }

    private long requestsPerConnection(Load load) {
        return eventsPerPhase / ((long) connections * load.eventsPerRequest());
    }

    private PhaseResult runPhase(LoadPhase phase, Load load) throws InterruptedException {
        out.printf(Locale.ROOT, "%s: closed loop on %s, %d events per request%s...%n", phase.name(), phase.path(),
                load.eventsPerRequest(), phase.requestsPerConnection() > 0
                        ? ", " + phase.requestsPerConnection() * connections * load.eventsPerRequest() + " events"
                        : String.format(Locale.ROOT, " for %.1f s", phase.duration().toMillis() / 1000.0));
        PhaseResult result = runner.run(phase, load.requests());
        if (result.failedRequests() > 0) {
            out.println("  " + result.failedRequests() + " requests failed; first error: " + result.firstError());
        }
        return result;
    }

    private Duration awaitStored() throws IOException, InterruptedException {
        return storage == null ? null : storage.awaitStored();
    }
}
