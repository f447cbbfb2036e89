package dev.traceflow.benchmark;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which timed answers shared the server's CPU with a load of the storage loader (a transaction of
 * events into the event store: ~0.1-0.3 s of CPU a row group on one core). The server writes each
 * load's end and length to its JSON log at DEBUG ({@link #JVM_OPTION}); each request of the HTTP
 * pass has its start and length. An answer that overlapped a load is compared with the same request
 * in the quiet pass (ingest stopped): the ratio says how much of an answer's time under ingest the
 * load took, and whether the slowest answers, which make a p95 of 20, are the ones that met a load.
 */
final class LoadOverlap {

    /** Makes the server log each load: its end (the line's time) and its length. */
    static final String JVM_OPTION = "-Dlogging.level.dev.traceflow.storage.internal.StoreLoader=DEBUG";

    /** "stored 30720 events in duckdb in 325 ms" (DEBUG) or "storing 30720 events in duckdb took 1200 ms" (WARN, slow). */
    private static final Pattern LOAD = Pattern.compile("^(?:stored (\\d+) events in \\S+ in|storing (\\d+) events in \\S+ took) (\\d+) ms$");

    /** An answer overlapping a load for at least this share of its time counts as having met one. */
    static final double MET_A_LOAD = 0.2;

    /** One load: [start, end) in epoch ms. */
    record Load(long startMs, long endMs, int events) {

        long overlap(long from, long to) {
            return Math.max(0, Math.min(to, endMs) - Math.max(from, startMs));
        }
    }

    private LoadOverlap() {
    }

    /** The loads in a server log of JSON lines; other lines (and a missing file) give none. */
    static List<Load> loads(Path serverLog) throws IOException {
        List<Load> loads = new ArrayList<>();
        if (!Files.exists(serverLog)) {
            return loads;
        }
        JsonMapper json = JsonMapper.shared();
        for (String line : Files.readAllLines(serverLog, StandardCharsets.UTF_8)) {
            if (!line.startsWith("{") || !line.contains("events in")) {
                continue;
            }
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (RuntimeException e) {
                continue; // a line cut by the server's stop
            }
            Matcher m = LOAD.matcher(node.path("message").asString(""));
            if (!m.matches()) {
                continue;
            }
            long end = Instant.parse(node.path("@timestamp").asString()).toEpochMilli();
            long length = Long.parseLong(m.group(3));
            int events = Integer.parseInt(m.group(1) != null ? m.group(1) : m.group(2));
            loads.add(new Load(end - length, end, events));
        }
        return loads;
    }

    /**
     * Per endpoint and in all: how many timed answers met a load, their median time over the same
     * request's quiet time beside the others', and whether the answer at the p95 rank met one.
     */
    static Map<String, Object> of(List<Load> loads, Map<String, EndpointTimings> http, Map<String, EndpointTimings> quiet) {
        List<Double> metRatios = new ArrayList<>();
        List<Double> otherRatios = new ArrayList<>();
        int p95MetALoad = 0;
        int endpoints = 0;
        for (Map.Entry<String, EndpointTimings> e : http.entrySet()) {
            EndpointTimings h = e.getValue();
            EndpointTimings q = quiet.get(e.getKey());
            int p95Index = -1;
            Double p95 = h.percentile(95);
            for (int i = 0; i < h.byVariation().size(); i++) {
                Double ms = h.byVariation().get(i);
                Long start = h.startedAt().get(i);
                if (ms == null || start == null) {
                    continue;
                }
                boolean met = met(loads, start, ms);
                Double quietMs = q == null || i >= q.byVariation().size() ? null : q.byVariation().get(i);
                if (quietMs != null && quietMs > 0) {
                    (met ? metRatios : otherRatios).add(ms / quietMs);
                }
                if (p95 != null && ms.equals(p95) && p95Index < 0) {
                    p95Index = i;
                }
            }
            if (p95Index >= 0) {
                endpoints++;
                if (met(loads, h.startedAt().get(p95Index), h.byVariation().get(p95Index))) {
                    p95MetALoad++;
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("loads", loads.size());
        out.put("answersThatMetALoad", metRatios.size());
        out.put("otherAnswers", otherRatios.size());
        out.put("metALoadMedianOverQuiet", QueryReport.round(median(metRatios)));
        out.put("othersMedianOverQuiet", QueryReport.round(median(otherRatios)));
        out.put("endpointsWhoseP95AnswerMetALoad", p95MetALoad);
        out.put("endpoints", endpoints);
        return out;
    }

    private static boolean met(List<Load> loads, long start, double ms) {
        long end = start + Math.round(ms);
        long overlap = 0;
        for (Load l : loads) {
            overlap += l.overlap(start, end);
        }
        return overlap > 0 && overlap >= MET_A_LOAD * ms;
    }

    private static Double median(List<Double> values) {
        if (values.isEmpty()) {
            return null;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
