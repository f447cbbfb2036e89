package dev.traceflow.benchmark;

import java.io.IOException;
import java.net.ConnectException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.LockSupport;

/**
 * The load loop of one connection for one phase, run on its own platform thread.
 *
 * <p>Closed loop: send, wait for the answer, send again, until the deadline; latency runs from the
 * send to the answer's last byte. Open loop: request {@code k} is due at {@code firstSend + k *
 * interval}; latency runs from that <em>due</em> time, not from when it could actually be sent, so
 * a server stall shows up in the latencies of every request it delayed (no coordinated omission).
 */
final class ConnectionWorker implements Runnable {

    /** Pause after a failed connect, in milliseconds, so a dead server does not turn into a busy loop. */
    private static final long CONNECT_RETRY_PAUSE_MILLIS = 10;

    private final RawHttpConnection connection;
    private final List<PreparedRequest> requests;
    private final EventIdSequence eventIds;
    private final CountDownLatch ready;
    private final CountDownLatch go;
    private final ConnectionStats stats;
    private final Ticker ticker;
    /** 0 for no limit; else the requests this connection sends before it stops. */
    private final long maxRequests;
    private long sent;
    private int nextRequest;
    private long startNanos;
    /** Volatile: {@link #stopBy} may move it from another thread while the loop runs. */
    private volatile long deadlineNanos;
    private long firstSendNanos;
    private double intervalNanos;

    /**
     * @param requests this worker's private copies (their id slots are overwritten on every send)
     * @param firstRequest index of the first request to send, so connections do not move in lockstep
     * @param ticker       the phase clock's time
     * @param maxRequests  0 for no limit, else how many requests to send before stopping
     * @param successStatus the status of an answer that took the events
     */
    ConnectionWorker(RawHttpConnection connection, List<PreparedRequest> requests, int firstRequest,
                     EventIdSequence eventIds, CountDownLatch ready, CountDownLatch go, Ticker ticker,
                     long maxRequests, int successStatus) {
        this.connection = connection;
        this.stats = new ConnectionStats(successStatus);
        this.maxRequests = maxRequests;
        this.requests = requests;
        this.nextRequest = firstRequest % requests.size();
        this.eventIds = eventIds;
        this.ready = ready;
        this.go = go;
        this.ticker = ticker;
    }

    /**
     * Sets the phase clock; must be called before {@code go} opens.
     *
     * @param startNanos    the ticker's time at which the phase starts
     * @param deadlineNanos no request is started at or after this time
     * @param firstSendNanos open loop only: due time of this connection's first request
     * @param intervalNanos  open loop only: time between this connection's requests; 0 for closed loop
     */
    void schedule(long startNanos, long deadlineNanos, long firstSendNanos, double intervalNanos) {
        this.startNanos = startNanos;
        this.deadlineNanos = deadlineNanos;
        this.firstSendNanos = firstSendNanos;
        this.intervalNanos = intervalNanos;
    }

    /**
     * Ends the phase early: no request is started at or after {@code nanos} (the ticker's time). A
     * request already under way still completes and counts.
     */
    void stopBy(long nanos) {
        deadlineNanos = Math.min(deadlineNanos, nanos);
    }

    ConnectionStats stats() {
        return stats;
    }

    long connectsMade() {
        return connection.connectsMade();
    }

    @Override
    public void run() {
        try {
            try {
                connectEarly();
            } finally {
                // Always: the phase waits for every worker to be ready and must not hang on one failure.
                ready.countDown();
            }
            go.await();
            ticker.parkUntil(startNanos);
            if (intervalNanos > 0) {
                runOpenLoop();
            } else {
                runClosedLoop();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            connection.close();
        }
    }

    private void connectEarly() {
        try {
            // Connecting before the clock starts keeps TCP setup out of the first latencies.
            connection.connect();
        } catch (IOException e) {
            // The loop will try again and count the failure there.
        }
    }

    private void runClosedLoop() {
        while (true) {
            long sendNanos = ticker.nanoTime();
            if (sendNanos >= deadlineNanos || (maxRequests > 0 && sent == maxRequests)) {
                return;
            }
            sendOne(sendNanos);
        }
    }

    private void runOpenLoop() {
        for (long k = 0; ; k++) {
            long dueNanos = firstSendNanos + (long) (k * intervalNanos);
            // Stop at the deadline even when behind schedule, so the phase length stays what was asked.
            if (dueNanos >= deadlineNanos || ticker.nanoTime() >= deadlineNanos || (maxRequests > 0 && sent == maxRequests)) {
                return;
            }
            ticker.parkUntil(dueNanos);
            sendOne(dueNanos);
        }
    }

    private void sendOne(long latencyOriginNanos) {
        PreparedRequest request = requests.get(nextRequest);
        nextRequest = (nextRequest + 1) % requests.size();
        request.stampEventIds(eventIds);
        sent++;
        try {
            HttpResponse response = connection.exchange(request.bytes(), request.bytes().length);
            stats.recordAnswer(response, ticker.nanoTime() - latencyOriginNanos);
        } catch (IOException e) {
            stats.recordIoError(e);
            if (e instanceof ConnectException) {
                LockSupport.parkNanos(CONNECT_RETRY_PAUSE_MILLIS * 1_000_000);
            }
        }
    }
}
