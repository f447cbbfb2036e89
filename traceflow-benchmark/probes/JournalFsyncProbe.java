import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * What one journal group commit costs on this machine's disk: a write of a group's bytes and an
 * fsync ({@code FileChannel.force(false)}, as {@code IngestJournal} does), into a segment that
 * either grows with each write ({@code grow}, what the journal does) or was zero-filled and fsynced
 * beforehand ({@code prealloc}, tried in the server and not adopted: see the README's "How events
 * are stored"). Rounds alternate the
 * two, so both see the same disk weather. Prints, per round and as medians, the appending thread's
 * CPU (user + system) and the wall time per fsync; the wall time is what every 202 waits for.
 * No dependencies; from the repository root:
 *
 * <pre>
 * java traceflow-benchmark/probes/JournalFsyncProbe.java [rounds] [bytes per fsync] [fsyncs per round] [dir]
 * java traceflow-benchmark/probes/JournalFsyncProbe.java 5 49152 4000 ./data
 * </pre>
 *
 * The defaults (49,152 bytes) are the size of a group under the benchmark's load: ~38 MB/s of
 * journal over ~800 fsyncs/s. Put the directory on the disk the journal will use.
 */
public class JournalFsyncProbe {

    public static void main(String[] args) throws IOException {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int groupBytes = args.length > 1 ? Integer.parseInt(args[1]) : 49_152;
        int fsyncs = args.length > 2 ? Integer.parseInt(args[2]) : 4_000;
        Path dir = Files.createDirectories(Path.of(args.length > 3 ? args[3] : "traceflow-benchmark/target/fsync-probe"));
        List<double[]> grow = new ArrayList<>();
        List<double[]> prealloc = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            for (boolean preallocated : new boolean[] {false, true}) {
                double[] result = run(dir.resolve("probe.segment"), preallocated, groupBytes, fsyncs);
                (preallocated ? prealloc : grow).add(result);
                System.out.printf("round %d %-8s cpu %6.1f us/fsync, wall %6.1f us/fsync%n", round,
                        preallocated ? "prealloc" : "grow", result[0], result[1]);
            }
        }
        System.out.printf("median   grow     cpu %6.1f us/fsync, wall %6.1f us/fsync%n", median(grow, 0), median(grow, 1));
        System.out.printf("median   prealloc cpu %6.1f us/fsync, wall %6.1f us/fsync%n", median(prealloc, 0), median(prealloc, 1));
    }

    /** Returns {CPU us per fsync, wall us per fsync}. */
    private static double[] run(Path file, boolean preallocated, int groupBytes, int fsyncs) throws IOException {
        Files.deleteIfExists(file);
        long size = (long) groupBytes * fsyncs;
        if (preallocated) {
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
                for (long written = 0; written < size; ) {
                    zeros.clear().limit((int) Math.min(zeros.capacity(), size - written));
                    written += ch.write(zeros, written);
                }
                ch.force(true);
            }
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        byte[] group = new byte[groupBytes];
        new Random(1).nextBytes(group);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            long cpu0 = threads.getCurrentThreadCpuTime();
            long wall0 = System.nanoTime();
            for (int i = 0; i < fsyncs; i++) {
                ByteBuffer buffer = ByteBuffer.wrap(group);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(false);
            }
            long cpu = threads.getCurrentThreadCpuTime() - cpu0;
            long wall = System.nanoTime() - wall0;
            return new double[] {cpu / 1e3 / fsyncs, wall / 1e3 / fsyncs};
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static double median(List<double[]> results, int index) {
        double[] values = results.stream().mapToDouble(r -> r[index]).sorted().toArray();
        return values.length % 2 == 1 ? values[values.length / 2]
                : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }
}
