package dev.traceflow.benchmark;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link LoadPhase}s against one server: one platform thread and one {@link RawHttpConnection}
 * per connection, all started on a common clock, joined at the end and merged into a
 * {@link PhaseResult}. Each phase opens fresh connections, so a phase never inherits a connection
 * the server is about to drop.
 */
public final class PhaseRunner {

    /** Time between all threads being ready and the phase clock starting, in milliseconds. */
    private static final long START_DELAY_MILLIS = 20;
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /** Upper bound on one answer's wait, in milliseconds; a stalled server cannot hang the run. */
    private static final int READ_TIMEOUT_MILLIS = 30_000;

    private final InetSocketAddress address;
    private final String hostHeader;
    private final String ingestKey;
    private final List<BatchTemplate> templates;
    private final int connections;
    private final String runTag;
    private final Ticker ticker;
    private final Map<String, List<PreparedRequest>> requestsByPath = new HashMap<>();
    private int nextStreamId;
    /** The workers of the phase under way, for {@link #stopEarly()}; empty between phases. */
    private volatile List<ConnectionWorker> running = List.of();

    /**
     * @param runTag {@value EventIdSequence#RUN_TAG_LENGTH} characters that make this run's event ids
     *               distinct from any other run's
     */
    public PhaseRunner(InetSocketAddress address, String ingestKey, List<BatchTemplate> templates,
                       int connections, String runTag) {
        this(address, ingestKey, templates, connections, runTag, Ticker.SYSTEM);
    }

    /** @param ticker the phases' clock (tests move it by hand) */
    PhaseRunner(InetSocketAddress address, String ingestKey, List<BatchTemplate> templates,
                int connections, String runTag, Ticker ticker) {
        if (connections < 1) {
            throw new IllegalArgumentException("need at least one connection");
        }
        this.address = address;
        this.hostHeader = address.getHostString() + ":" + address.getPort();
        this.ingestKey = ingestKey;
        this.templates = templates;
        this.connections = connections;
        this.runTag = runTag;
        this.ticker = ticker;
    }

    /**
     * Ends the phase under way (another thread is in {@link #run}) now instead of at its duration:
     * for a background load that lasts as long as some other work. Its result covers the time it
     * really ran. Does nothing between phases.
     */
    public void stopEarly() {
        long now = ticker.nanoTime();
        for (ConnectionWorker worker : running) {
            worker.stopBy(now);
        }
    }

    /**
     * Runs {@code phase} with this runner's TraceFlow batches, sent to the phase's path with the
     * ingest key, to completion (or {@link #stopEarly()}); blocks for about its duration.
     */
    public PhaseResult run(LoadPhase phase) throws InterruptedException {
        List<PreparedRequest> shared = requestsByPath.computeIfAbsent(phase.path(), path -> templates.stream()
                .map(template -> PreparedRequest.post(template, path, hostHeader, ingestKey))
                .toList());
        return run(phase, shared);
    }

    /** The {@code Host} header value of this runner's server, for requests prepared elsewhere. */
    public String hostHeader() {
        return hostHeader;
    }

    /**
     * Runs {@code phase} with requests prepared by the caller (another endpoint's bodies, headers
     * and authentication); each connection cycles through its own copies of them.
     */
    public PhaseResult run(LoadPhase phase, List<PreparedRequest> shared) throws InterruptedException {
        if (shared.isEmpty()) {
            throw new IllegalArgumentException("phase " + phase.name() + " has no requests to send");
        }
        CountDownLatch ready = new CountDownLatch(connections);
        CountDownLatch go = new CountDownLatch(1);
        List<ConnectionWorker> workers = new ArrayList<>(connections);
        List<Thread> threads = new ArrayList<>(connections);
        for (int i = 0; i < connections; i++) {
            if (nextStreamId >= EventIdSequence.MAX_STREAMS) {
                throw new IllegalStateException("too many connections x phases for unique event ids");
            }
            List<PreparedRequest> own = shared.stream().map(PreparedRequest::privateCopy).toList();
            ConnectionWorker worker = new ConnectionWorker(
                    new RawHttpConnection(address, CONNECT_TIMEOUT_MILLIS, READ_TIMEOUT_MILLIS),
                    own, i * 7, new EventIdSequence(runTag, nextStreamId++), ready, go, ticker,
                    phase.requestsPerConnection(), phase.successStatus());
            workers.add(worker);
            threads.add(Thread.ofPlatform().name("load-" + phase.name() + "-" + i).daemon().start(worker));
        }
        ready.await();

        long start = ticker.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_DELAY_MILLIS);
        long deadline = start + phase.duration().toNanos();
        // Open loop: each connection carries 1/connections of the rate, the connections' first sends
        // staggered across one interval so the aggregate is evenly spaced.
        double interval = phase.openLoop() ? connections * 1e9 / phase.requestsPerSecond() : 0;
        for (int i = 0; i < connections; i++) {
            workers.get(i).schedule(start, deadline, start + (long) (interval * i / connections), interval);
        }
        running = workers;
        go.countDown();
        try {
            for (Thread thread : threads) {
                thread.join();
            }
        } finally {
            running = List.of();
        }
        // the phase's true length: shorter than asked when it was stopped early
        long elapsed = ticker.nanoTime() - start;

        long connects = workers.stream().mapToLong(ConnectionWorker::connectsMade).sum();
        return PhaseResult.merge(phase, elapsed, workers.stream().map(ConnectionWorker::stats).toList(), connects);
    }
}
