package dev.traceflow.builds.internal;

import dev.traceflow.builds.internal.run.BuildLogSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A running build's log lines on their way to the reporter: numbered per attempt from 1, and sent by
 * a sender thread of their own, so that the thread reading the command's output only queues them and
 * never waits for the server. A send carries every pending line up to {@link #MAX_APPEND} (and
 * {@link #MAX_APPEND_CHARS}): a worker that fell behind while an append was answered catches up with
 * larger appends, so a chatty command costs one store write per append, not per line, and the number
 * of appends a second stays what the server can take. The sender starts a send once {@link #BATCH}
 * lines wait; fewer go out when the worker's ticker calls {@link #sendSoon} (which never waits for a
 * send, so that heartbeats are not held up behind a busy sender) or at each step's {@link #flush}.
 * <p>
 * Only {@link #MAX_PENDING} lines may wait while sends work: beyond that the output reader waits for
 * the sender (back-pressure on the command, counted in {@code traceflow.builds.log.reader.waits}).
 * While sends fail it does not wait (it must keep reading so that the command's limits and
 * cancellation work); what waits is then bounded by the command's output limit.
 * <p>
 * A batch that failed to send is kept and sent again with the same numbers; the sink skips what it
 * stored. One send is in flight at a time, so lines reach the sink in order; the sender takes the
 * send lock for one append at a time and the lock is fair, so a step's flush is not starved by it.
 */
final class LogBuffer implements AutoCloseable {

    /** Lines worth an automatic send (fewer wait for the next flush). */
    static final int BATCH = 200;
    /** The most lines one append carries: the worker API's limit. */
    static final int MAX_APPEND = WorkerApiController.MAX_LINES;
    /** The most characters of line text one append carries (at least one line): keeps a request of long lines small. */
    static final int MAX_APPEND_CHARS = 1 << 20;
    /** Lines that may wait for the sender before the output reader is held back. */
    static final int MAX_PENDING = 10 * MAX_APPEND;
    /** A line longer than this is cut (the rest would only fill the store). */
    static final int MAX_LINE = 8192;

    private final BuildReporter reporter;
    private final Clock clock;
    private final ReentrantLock lock = new ReentrantLock();
    /** signalled when lines are added or taken, a send failed, or the buffer closed */
    private final Condition changed = lock.newCondition();
    /** held for a whole send, so that sends (the sender's, a flush's) go out one at a time, in order */
    private final ReentrantLock sending = new ReentrantLock(true);
    private final Counter readerWaits;
    private final Timer readerWaited;
    private final DistributionSummary appendLines;
    private final Thread sender;
    // guarded by lock
    private final List<BuildLogSink.LogLine> pending = new ArrayList<>();
    private long nextSeq = 1;
    private String stage = "fetch";
    private int autoSendAt = BATCH;
    private boolean failing;
    private RuntimeException lastFailure;
    private boolean soon;
    private boolean closed;

    LogBuffer(BuildReporter reporter, Clock clock, MeterRegistry metrics) {
        this.reporter = reporter;
        this.clock = clock;
        this.readerWaits = Counter.builder("traceflow.builds.log.reader.waits")
                .description("times a command's output reader waited because " + MAX_PENDING + " log lines were not sent yet")
                .register(metrics);
        this.readerWaited = Timer.builder("traceflow.builds.log.reader.waited")
                .description("how long a command's output reader waited for the log sender").register(metrics);
        this.appendLines = DistributionSummary.builder("traceflow.builds.log.append.lines")
                .description("log lines a worker sent in one append").register(metrics);
        this.sender = Thread.ofPlatform().name("build-log-sender").daemon(true).start(this::sendInBackground);
    }

    void stage(String stage) {
        lock.lock();
        try {
            this.stage = stage;
        } finally {
            lock.unlock();
        }
    }

    void info(String line) {
        add("info", line);
    }

    void error(String line) {
        add("error", line);
    }

    /**
     * Queues a line for the sender. Never throws, and never waits for a send unless {@link #MAX_PENDING}
     * lines are unsent while sends work: it runs on the thread that reads the command's output. A batch
     * that could not be sent (the server did not answer, or the lease was lost) stays pending, and the
     * next {@link #flush} (the worker's ticker, each step's end) sends it or reports the failure;
     * meanwhile the sender tries again only after one more batch.
     */
    void add(String level, String line) {
        String cut = line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + " [cut]" : line;
        lock.lock();
        try {
            if (pending.size() >= MAX_PENDING && !failing && !closed) {
                waitForSender();
            }
            pending.add(new BuildLogSink.LogLine(clock.instant(), level, stage, cut));
            if (pending.size() >= autoSendAt) {
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    private void waitForSender() {
        readerWaits.increment();
        long t0 = System.nanoTime();
        try {
            while (pending.size() >= MAX_PENDING && !failing && !closed) {
                changed.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the line is kept all the same; the runner sees the interrupt
        } finally {
            readerWaited.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Sends everything pending, in order, on the calling thread (after a send the sender has in flight).
     *
     * @throws JdbcBuilds.LeaseLost when the attempt lost the build
     * @throws RuntimeException     when a batch could not be sent (it stays pending, with its numbers)
     */
    void flush() {
        long upTo = lastQueued();
        while (sendOne(upTo, 1)) {
            // until what was pending when flush was called is sent: lines printed meanwhile do not prolong it
        }
    }

    /**
     * Asks the sender to send every line pending now, also fewer than a batch, without waiting for it.
     *
     * @throws JdbcBuilds.LeaseLost when the last send found that the attempt lost the build
     * @throws RuntimeException     when the last send failed otherwise (its lines stay pending, the sender tries again)
     */
    void sendSoon() {
        RuntimeException failure;
        lock.lock();
        try {
            soon = true;
            changed.signalAll();
            failure = failing ? lastFailure : null;
        } finally {
            lock.unlock();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private long lastQueued() {
        lock.lock();
        try {
            return nextSeq + pending.size() - 1;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the sender (after the send it has in flight); lines still pending are not sent. Idempotent. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The sender thread: waits for {@link #autoSendAt} lines, then sends while a batch's worth waits; or,
     * asked by {@link #sendSoon}, sends all that was pending then.
     */
    private void sendInBackground() {
        while (true) {
            long upTo;
            int atLeast;
            lock.lock();
            try {
                while (!closed && pending.size() < autoSendAt && !(soon && !pending.isEmpty())) {
                    changed.await();
                }
                if (closed) {
                    return;
                }
                upTo = soon ? nextSeq + pending.size() - 1 : Long.MAX_VALUE;
                atLeast = soon ? 1 : BATCH;
                soon = false;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            try {
                while (sendOne(upTo, atLeast)) {
                    // one append per turn of the send lock, so that a step's flush waits for one append at most
                }
            } catch (RuntimeException e) {
                // kept pending: retried after one more batch or when asked, and reported by the next flush or sendSoon
            }
        }
    }

    /**
     * Sends one append: the first pending lines, up to the limits and to line {@code upTo}.
     *
     * @return false when nothing was sent: fewer than {@code atLeast} lines wait, or none up to {@code upTo}
     */
    private boolean sendOne(long upTo, int atLeast) {
        sending.lock();
        try {
            List<BuildLogSink.LogLine> batch;
            long firstSeq;
            lock.lock();
            try {
                long count = Math.min(nextAppendSize(pending), upTo - nextSeq + 1);
                if (pending.size() < atLeast || count <= 0) {
                    return false;
                }
                batch = List.copyOf(pending.subList(0, (int) count));
                firstSeq = nextSeq;
            } finally {
                lock.unlock();
            }
            try {
                reporter.logs(firstSeq, batch);
            } catch (RuntimeException e) {
                sent(0, e);
                throw e;
            }
            appendLines.record(batch.size());
            sent(batch.size(), null);
            return true;
        } finally {
            sending.unlock();
        }
    }

    /** Takes {@code count} sent lines off the queue, or notes that a send failed. */
    private void sent(int count, RuntimeException failure) {
        lock.lock();
        try {
            pending.subList(0, count).clear();
            nextSeq += count;
            failing = failure != null;
            lastFailure = failure;
            autoSendAt = failing ? pending.size() + BATCH : BATCH;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** How many of the first pending lines the next append carries: all, up to {@link #MAX_APPEND} lines and {@link #MAX_APPEND_CHARS}. */
    static int nextAppendSize(List<BuildLogSink.LogLine> pending) {
        int n = 0;
        long chars = 0;
        for (BuildLogSink.LogLine line : pending) {
            chars += line.line().length();
            if (n == MAX_APPEND || n > 0 && chars > MAX_APPEND_CHARS) {
                break;
            }
            n++;
        }
        return n;
    }

    /** Whether the sender thread is still there (tests: {@link #close} ends it). */
    boolean senderAlive() {
        return sender.isAlive();
    }
}
