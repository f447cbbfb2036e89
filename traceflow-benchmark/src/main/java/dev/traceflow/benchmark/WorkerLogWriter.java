package dev.traceflow.benchmark;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@link BuildLogBenchmark}'s worker: a build's command printing at a rate into a queue, and the
 * worker's sender appending what waits over HTTP, one append at a time, as the worker's
 * {@code LogBuffer} does. Notes each line's output and write times for the followers' latencies.
 */
final class WorkerLogWriter {

    /** The worker's sender starts an append once this many lines wait (LogBuffer.BATCH in the server). */
    static final int BATCH = 200;
    /** The worker API's limit (and LogBuffer.MAX_APPEND): a worker that is behind sends this many lines at once. */
    static final int MAX_APPEND = 1000;
    /** Lines that may wait unsent before the command's output is held back (LogBuffer.MAX_PENDING). */
    static final int MAX_PENDING = 10 * MAX_APPEND;
    /** How often the simulated command prints the lines due by then. */
    static final long PRINT_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private final int rate;
    private final int maxLinesPerAppend;

    /**
     * @param rate              lines the command prints a second
     * @param maxLinesPerAppend the most lines one append carries
     */
    WorkerLogWriter(int rate, int maxLinesPerAppend) {
        this.rate = rate;
        this.maxLinesPerAppend = maxLinesPerAppend;
    }

    /**
     * The writer's side: when it started, how long until the last append was answered, each append's time
     * in ms and its lines (both sorted), and how often the command's output was held back.
     */
    record Writes(long startNanos, double seconds, double[] appendMillis, double[] appendLines, long printerHeldBack) {
        double millis(double q) {
            return appendMillis.length == 0 ? 0 : BuildsBenchmark.percentile(appendMillis, q);
        }
    }

    /**
     * How many lines the worker's sender puts in its next append, given the lines printed and sent so
     * far: all that wait up to {@code max}, once a batch waits or the command has printed its last line;
     * 0: wait for more.
     */
    static int nextAppend(long printed, long sent, boolean allPrinted, int max) {
        long waiting = printed - sent;
        if (waiting <= 0 || waiting < Math.min(BATCH, max) && !allPrinted) {
            return 0;
        }
        return (int) Math.min(waiting, max);
    }

    /**
     * Lines the simulated command printed and the sender sent; the command's lines beyond
     * {@link #MAX_PENDING} unsent wait until the sender has sent some, those within it are queued at once.
     */
    static final class Queued {
        private final int total;
        private long printed;
        private long sent;
        private long heldBack;

        Queued(int total) {
            this.total = total;
        }

        synchronized void printedUpTo(long line) throws InterruptedException {
            boolean waited = false;
            while (true) {
                // what fits is queued before waiting: the sender may be waiting for exactly those lines
                printed = Math.max(printed, Math.min(line, sent + MAX_PENDING));
                notifyAll();
                if (printed == line) {
                    return;
                }
                if (!waited) {
                    heldBack++;
                    waited = true;
                }
                wait();
            }
        }

        /** Waits for the next append's size (0 when everything is sent). */
        synchronized int nextAppend(int max) throws InterruptedException {
            while (true) {
                if (sent == total) {
                    return 0;
                }
                int n = WorkerLogWriter.nextAppend(printed, sent, printed == total, max);
                if (n > 0) {
                    return n;
                }
                wait();
            }
        }

        synchronized void sentUpTo(long line) {
            sent = line;
            notifyAll();
        }

        synchronized long heldBack() {
            return heldBack;
        }
    }

    /**
     * Prints the lines at the rate on one thread, as a build's command does (each line's output time
     * noted), and sends them on this one as the worker does: one append at a time of all lines waiting,
     * up to the limit (each line's write time noted just before its append is sent).
     */
    Writes write(RemoteWorkerClient worker, RemoteWorkerClient.Claim claim, int total, AtomicLongArray writtenAt,
                         AtomicLongArray printedAt) throws Exception {
        String padding = "x".repeat(40);
        Queued queued = new Queued(total);
        AtomicReference<Exception> printFailed = new AtomicReference<>();
        long start = System.nanoTime();
        Thread printer = Thread.ofPlatform().name("bench-log-printer").daemon(true).start(() -> {
            try {
                long done = 0;
                for (long tick = 1; done < total; tick++) {
                    long wait = start + tick * PRINT_EVERY_NANOS - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                    long now = System.nanoTime();
                    long due = Math.min(total, (long) rate * (now - start) / 1_000_000_000L);
                    for (long line = done + 1; line <= due; line++) {
                        printedAt.set((int) line, now);
                    }
                    if (due > done) {
                        queued.printedUpTo(due);
                        done = due;
                    }
                }
            } catch (Exception e) {
                printFailed.set(e);
            }
        });
        List<Double> millis = new ArrayList<>();
        List<Double> sizes = new ArrayList<>();
        long sent = 0;
        for (int n = queued.nextAppend(maxLinesPerAppend); n > 0; n = queued.nextAppend(maxLinesPerAppend)) {
            String[] lines = new String[n];
            for (int i = 0; i < n; i++) {
                lines[i] = "line " + (sent + 1 + i) + " " + padding;
            }
            String ts = Instant.now().toString();
            long before = System.nanoTime();
            for (int i = 1; i <= n; i++) {
                writtenAt.set((int) (sent + i), before);
            }
            long cursor = worker.append(claim, sent + 1, ts, lines);
            millis.add((System.nanoTime() - before) / 1e6);
            sizes.add((double) n);
            if (cursor != sent + n) {
                throw new IOException("the append of lines " + (sent + 1) + ".. answered cursor " + cursor);
            }
            sent += n;
            queued.sentUpTo(sent);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        printer.join();
        if (printFailed.get() != null) {
            throw printFailed.get();
        }
        double[] appendMillis = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double[] appendLines = sizes.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Writes(start, seconds, appendMillis, appendLines, queued.heldBack());
    }
}
