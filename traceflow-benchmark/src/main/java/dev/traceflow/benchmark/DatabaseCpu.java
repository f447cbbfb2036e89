package dev.traceflow.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The CPU the machine's PostgreSQL processes have used so far (the postmaster, its backends and helpers),
 * read from Linux's {@code /proc}: a trigger on PostgreSQL costs the database's CPU as well as the
 * server's, and on one machine both come out of the same cores. Processes that end between two readings
 * take their time with them; the server's pooled connections live for the whole run.
 */
final class DatabaseCpu {

    private static final Path PROC = Path.of("/proc");
    private static final long NANOS_PER_TICK = 10_000_000L;

    private DatabaseCpu() {
    }

    /** CPU nanoseconds of every process named {@code postgres}; 0 where /proc cannot tell (or none runs here). */
    static long postgresNanos() {
        return postgresNanos(PROC);
    }

    static long postgresNanos(Path proc) {
        long ticks = 0;
        try (Stream<Path> processes = Files.list(proc)) {
            for (Path process : processes.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
                try {
                    String stat = Files.readString(process.resolve("stat"));
                    if ("postgres".equals(ProcessCpu.threadName(stat))) {
                        ticks += ProcessCpu.ticks(stat);
                    }
                } catch (IOException | RuntimeException ended) {
                    // ended while we listed, or not ours to read
                }
            }
        } catch (IOException e) {
            return 0;
        }
        return ticks * NANOS_PER_TICK;
    }
}
