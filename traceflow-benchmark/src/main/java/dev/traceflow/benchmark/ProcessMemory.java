package dev.traceflow.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process's resident memory, read from Linux's {@code /proc/PID/status}: what the operating system
 * really gives the server (heap, DuckDB's native buffers, thread stacks, code), not what the JVM
 * reserves.
 *
 * @param rssBytes     resident now ({@code VmRSS})
 * @param peakRssBytes the most it has been resident since it started ({@code VmHWM})
 */
record ProcessMemory(long rssBytes, long peakRssBytes) {

    /** Empty where {@code /proc} cannot tell (not Linux, or the process is gone). */
    static Optional<ProcessMemory> read(long pid) {
        return read(Path.of("/proc", Long.toString(pid), "status"));
    }

    static Optional<ProcessMemory> read(Path status) {
        try {
            long rss = -1;
            long peak = -1;
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    rss = kibibytes(line);
                } else if (line.startsWith("VmHWM:")) {
                    peak = kibibytes(line);
                }
            }
            return rss < 0 || peak < 0 ? Optional.empty() : Optional.of(new ProcessMemory(rss * 1024, peak * 1024));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** {@code "VmRSS:\t  123456 kB"} gives 123456. */
    private static long kibibytes(String line) {
        String value = line.substring(line.indexOf(':') + 1).trim();
        if (!value.endsWith(" kB")) {
            throw new IllegalArgumentException("unexpected unit in '" + line + "'");
        }
        return Long.parseLong(value.substring(0, value.length() - 3).trim());
    }
}
