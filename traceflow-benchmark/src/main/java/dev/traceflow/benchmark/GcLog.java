package dev.traceflow.benchmark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server's GC log ({@code -Xlog:gc:file=...}), read in phases: {@link #mark()} before a phase,
 * {@link #pausesSince} after it. With the server on one CPU the JVM picks the Serial collector, and one
 * pause of 100 ms in a phase decides a p95 of 20 requests; the pauses are reported beside the
 * latencies so such a p95 shows as what it is.
 *
 * <p>A pause is a line of the {@code gc} tag that says {@code Pause} and ends in its duration, as
 * Serial, Parallel and G1 write them: {@code [12.3s] GC(7) Pause Young (Allocation Failure)
 * 80M->12M(245M) 14.123ms}. ZGC's and Shenandoah's cycles are concurrent; their few short pauses are
 * logged at {@code gc+phases}, which this log does not ask for, so they count none.
 */
final class GcLog {

    private static final Pattern PAUSE = Pattern.compile("\\bPause\\b.*?\\s(\\d+(?:\\.\\d+)?)ms\\s*$");
    private static final Pattern COLLECTOR = Pattern.compile("\\bUsing (\\S+(?: \\S+)?)\\s*$");

    private final Path file;

    GcLog(Path file) {
        this.file = file;
    }

    /** The JVM option that writes this log (uptime decorations, so lines can be matched with the server's own log). */
    String jvmOption() {
        return "-Xlog:gc:file=" + file + ":uptime";
    }

    /** Where the log stands now: the lines it holds (the JVM writes each line whole and flushes it). */
    long mark() {
        return lines().size();
    }

    /** The pauses logged after {@code mark}. */
    Pauses pausesSince(long mark) {
        List<String> lines = lines();
        return Pauses.of(lines.subList((int) Math.min(mark, lines.size()), lines.size()));
    }

    /** The collector the JVM chose, as its first lines name it (e.g. {@code Serial}, {@code G1}), or null. */
    String collector() {
        for (String line : lines()) {
            Matcher m = COLLECTOR.matcher(line);
            if (m.find()) {
                return m.group(1);
            }
        }
        return null;
    }

    private List<String> lines() {
        try {
            return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The pauses of a phase.
     *
     * @param count   how many
     * @param totalMs their sum
     * @param maxMs   the longest, 0 without pauses
     * @param over50  how many took 50 ms or more (half the percentile target: enough to decide a p95)
     */
    record Pauses(int count, double totalMs, double maxMs, int over50) {

        static Pauses of(List<String> lines) {
            int count = 0;
            int over50 = 0;
            double total = 0;
            double max = 0;
            for (String line : lines) {
                Matcher m = PAUSE.matcher(line);
                if (m.find()) {
                    double ms = Double.parseDouble(m.group(1));
                    count++;
                    total += ms;
                    max = Math.max(max, ms);
                    if (ms >= 50) {
                        over50++;
                    }
                }
            }
            return new Pauses(count, total, max, over50);
        }

        Map<String, Object> toMap(double phaseSeconds) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("pauses", count);
            map.put("totalMs", QueryReport.round(totalMs));
            map.put("maxMs", QueryReport.round(maxMs));
            map.put("pausesOver50Ms", over50);
            map.put("phaseSeconds", QueryReport.round(phaseSeconds));
            map.put("pausedPercent", phaseSeconds > 0 ? QueryReport.round(totalMs / 10 / phaseSeconds) : 0.0);
            return map;
        }
    }
}
