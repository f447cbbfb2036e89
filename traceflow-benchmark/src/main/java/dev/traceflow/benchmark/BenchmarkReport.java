package dev.traceflow.benchmark;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Everything a run produced: configuration, environment, the warmup, the measured phases, the
 * ingest/no-op ratio, the stored-count comparison and the target checks. Printed as Markdown and
 * written as JSON.
 *
 * @param startedAt             ISO-8601 instant the run started
 * @param configuration         the options that shaped the load
 * @param environment           where it ran: CPUs, JVMs, pinning
 * @param warmup                the warmup phase (not part of the table, counted in the accepted total)
 * @param phases                the measured phases in run order: noop, ingest, ingest-half
 * @param ratioPercent          ingest events/s ÷ noop events/s × 100
 * @param resources             each measured phase's CPU per event and the server's memory; empty where /proc is not readable
 * @param acceptedIngestEvents  sum of {@code accepted} over every ingest-endpoint answer (warmup included)
 * @param storedEvents          rows found in DuckDB for app {@code demo}; null when not counted
 * @param serverStoppedCleanly  the server exited on SIGTERM in time; null without a managed server
 * @param checks                the PASS/FAIL lines
 * @param runFailed             true when the run itself failed (no server, lost or extra events)
 * @param notes                 human-readable remarks (skipped checks, kept data dir, ...)
 * @param envelope              the Sentry envelope comparison ({@code --envelope}); null in a standard run
 */
public record BenchmarkReport(
        String startedAt, Map<String, Object> configuration, Map<String, Object> environment,
        PhaseResult warmup, List<PhaseResult> phases, double ratioPercent, List<PhaseResources> resources, long acceptedIngestEvents,
        Long storedEvents, Boolean serverStoppedCleanly, List<TargetCheck> checks, boolean runFailed,
        List<String> notes, EnvelopeComparison.Summary envelope) {

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    public String toJson() {
        return JSON.writeValueAsString(this);
    }

    public void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, toJson() + "\n");
    }

    /** The human-readable summary: a phase table, the ratio, and a check table. */
    public String toMarkdown() {
        StringBuilder md = new StringBuilder();
        md.append("| phase | loop | endpoint | s | requests | events/s | p50 ms | p99 ms | max ms | non-202 | 503 | I/O errors |\n");
        md.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (PhaseResult phase : phases) {
            String loop = phase.loop().equals("open")
                    ? "open @ " + number(phase.targetRequestsPerSecond()) + " req/s"
                    : "closed";
            md.append("| ").append(phase.name())
                    .append(" | ").append(loop)
                    .append(" | `").append(phase.endpoint()).append('`')
                    .append(" | ").append(String.format(Locale.ROOT, "%.1f", phase.seconds()))
                    .append(" | ").append(phase.requests())
                    .append(" | ").append(number(phase.eventsPerSecond()))
                    .append(" | ").append(millis(phase.p50Ms()))
                    .append(" | ").append(millis(phase.p99Ms()))
                    .append(" | ").append(millis(phase.maxMs()))
                    .append(" | ").append(phase.nonSuccess())
                    .append(" | ").append(phase.overloaded())
                    .append(" | ").append(phase.ioErrors())
                    .append(" |\n");
        }
        md.append('\n');
        if (envelope != null) {
            md.append(envelope.toMarkdown()).append('\n');
        } else {
            md.append("ingest / noop = **").append(String.format(Locale.ROOT, "%.1f %%", ratioPercent)).append("** · ");
        }
        md.append("accepted by ingest endpoints (warmup included): ").append(acceptedIngestEvents);
        md.append(" · stored: ").append(storedEvents == null ? "not counted" : storedEvents.toString()).append("\n\n");
        md.append("| check | target | actual | result |\n");
        md.append("|---|---|---|---|\n");
        for (TargetCheck check : checks) {
            md.append("| ").append(check.name())
                    .append(" | ").append(check.target())
                    .append(" | ").append(check.actual())
                    .append(" | **").append(check.verdict()).append("** |\n");
        }
        appendResources(md);
        for (String note : notes) {
            md.append("\n> ").append(note);
        }
        if (!notes.isEmpty()) {
            md.append('\n');
        }
        return md.toString();
    }

    /**
     * The resources table: one column per phase, one row per server thread group, then the load
     * generator, the cores busy and the server's memory. With every core busy, throughput is cores ÷
     * CPU per event, so the ratio of two phases' totals is the most the ingest / no-op ratio can be at
     * this cost.
     */
    private void appendResources(StringBuilder md) {
        if (resources.isEmpty()) {
            return;
        }
        md.append("\nCPU per accepted event, µs, and the server's memory (from /proc; a phase's window runs until its events are stored):\n\n");
        row(md, "where", PhaseResources::phase);
        md.append("|---|").append("---:|".repeat(resources.size())).append('\n');
        boolean serverKnown = resources.stream().anyMatch(phase -> !phase.serverMicrosPerEvent().isEmpty());
        if (serverKnown) {
            for (Map.Entry<String, String> group : PhaseResources.SERVER_GROUPS) {
                row(md, "server: " + group.getValue(), phase -> micros(phase.serverMicrosPerEvent().getOrDefault(group.getKey(), 0.0)));
            }
            row(md, "**server**", phase -> micros(phase.serverMicrosTotal()));
        }
        row(md, "load generator", phase -> micros(phase.loadGeneratorMicrosPerEvent()));
        row(md, "**total**", phase -> micros(phase.totalMicrosPerEvent()));
        row(md, "cores busy", phase -> micros(phase.coresBusy()));
        if (resources.stream().anyMatch(phase -> phase.serverRssMiB() != null)) {
            row(md, "server resident memory at the end, MiB", phase -> mebibytes(phase.serverRssMiB()));
            row(md, "server peak resident memory so far, MiB", phase -> mebibytes(phase.serverPeakRssMiB()));
        }
        var noop = resources.stream().filter(phase -> phase.phase().equals("noop")).findFirst();
        var ingest = resources.stream().filter(phase -> phase.phase().equals("ingest")).findFirst();
        if (serverKnown && noop.isPresent() && ingest.isPresent()) {
            md.append(String.format(Locale.ROOT, "%n> With every core busy, ingest / noop can be at most noop's total CPU per event "
                    + "÷ ingest's: **%.1f %%**.%n", noop.get().totalMicrosPerEvent() / ingest.get().totalMicrosPerEvent() * 100));
        }
    }

    /** One table row: the label, then each phase's cell. */
    private void row(StringBuilder md, String label, Function<PhaseResources, String> cell) {
        md.append("| ").append(label).append(" |");
        resources.forEach(phase -> md.append(' ').append(cell.apply(phase)).append(" |"));
        md.append('\n');
    }

    private static String mebibytes(Long value) {
        return value == null ? "?" : value.toString();
    }

    private static String micros(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    static String number(double value) {
        return String.format(Locale.ROOT, "%,.0f", value);
    }

    static String millis(double value) {
        return String.format(Locale.ROOT, value < 10 ? "%.2f" : "%.1f", value);
    }
}
