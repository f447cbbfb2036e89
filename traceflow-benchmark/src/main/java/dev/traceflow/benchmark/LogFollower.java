package dev.traceflow.benchmark;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One {@code /ws} follower of a build's log (API.md "Builds"): subscribes with its last cursor,
 * checks that the {@code log} messages come exactly once and in order (each cursor is the one after
 * the last), records the latency to each line's receipt from its write (when its append was sent) and
 * from its output (when the build's command printed it, which includes the time it waited in the
 * worker), and counts down when the {@code end} message comes.
 * <p>
 * {@link #reconnect} kills the connection without a goodbye and opens a new one that resumes from
 * the last cursor received, as a client whose network dropped does: what the old connection still
 * had in flight is lost to it, and the resume must bring exactly the rest. Messages and kills are
 * handled under one lock, so a message of a killed connection is never counted.
 */
final class LogFollower {

    private final HttpClient client;
    private final URI uri;
    private final String buildId;
    /** when each cursor's line was written (System.nanoTime), set by the writer before it sends */
    private final AtomicLongArray writtenAt;
    /** when each cursor's line was printed by the command (System.nanoTime), set by the writer before it queues it */
    private final AtomicLongArray printedAt;
    private final LatencyHistogram latencies = new LatencyHistogram();
    private final LatencyHistogram sincePrinted = new LatencyHistogram();
    private final CountDownLatch ended = new CountDownLatch(1);
    private WebSocket socket;
    /** which connection is current: a message of an older one is dropped */
    private int generation;
    private long lastCursor;
    private long received;
    private long outOfOrder;
    private int reconnects;
    private String unexpected;

    LogFollower(HttpClient client, URI uri, String buildId, AtomicLongArray writtenAt, AtomicLongArray printedAt) {
        this.client = client;
        this.uri = uri;
        this.buildId = buildId;
        this.writtenAt = writtenAt;
        this.printedAt = printedAt;
    }

    /** Connects and subscribes from the last cursor received (from the start the first time). */
    void connect() {
        int mine;
        long cursor;
        synchronized (this) {
            mine = generation;
            cursor = lastCursor;
        }
        WebSocket ws = client.newWebSocketBuilder().buildAsync(uri, new Listener(mine)).join();
        synchronized (this) {
            socket = ws;
        }
        ws.sendText(subscribeMessage(buildId, cursor), true).join();
    }

    static String subscribeMessage(String buildId, long cursor) {
        return cursor == 0 ? "{\"type\":\"subscribe\",\"buildId\":\"" + buildId + "\"}"
                : "{\"type\":\"subscribe\",\"buildId\":\"" + buildId + "\",\"cursor\":" + cursor + "}";
    }

    /** Drops the connection (no close frame, whatever is in flight is lost) and resumes on a new one. */
    void reconnect() {
        WebSocket old;
        synchronized (this) {
            generation++;
            reconnects++;
            old = socket;
        }
        old.abort();
        connect();
    }

    void close() {
        WebSocket ws;
        synchronized (this) {
            generation++;
            ws = socket;
        }
        if (ws != null) {
            ws.abort();
        }
    }

    CountDownLatch ended() {
        return ended;
    }

    /** Received every cursor from 1 to {@code total} once, in order, and nothing but log lines and the end. */
    synchronized boolean exactly(long total) {
        return received == total && lastCursor == total && outOfOrder == 0 && unexpected == null;
    }

    synchronized long received() {
        return received;
    }

    synchronized int reconnects() {
        return reconnects;
    }

    /** The first message that was neither a log line nor the end (an error), or null. */
    synchronized String unexpected() {
        return unexpected;
    }

    /** For merging into the run's histogram once the follower is done. */
    synchronized LatencyHistogram latencies() {
        return latencies;
    }

    /** As {@link #latencies}, from each line's output by the command rather than its append. */
    synchronized LatencyHistogram latenciesSincePrinted() {
        return sincePrinted;
    }

    /** One message's text: a log line (its cursor checked and its latency recorded), the end, or anything else. */
    synchronized void onMessage(int from, String text, long receivedAt) {
        if (from != generation) {
            return;
        }
        long cursor = cursorOf(text);
        if (cursor > 0) {
            if (cursor != lastCursor + 1) {
                outOfOrder++;
            }
            lastCursor = Math.max(lastCursor, cursor);
            received++;
            if (cursor < writtenAt.length()) {
                latencies.record(receivedAt - writtenAt.get((int) cursor));
                sincePrinted.record(receivedAt - printedAt.get((int) cursor));
            }
        } else if (text.startsWith("{\"type\":\"end\"")) {
            ended.countDown();
        } else if (unexpected == null) {
            unexpected = text;
        }
    }

    /** The cursor of a {@code log} message, read without a JSON parser (half a million a second); 0 for other messages. */
    static long cursorOf(String text) {
        if (!text.startsWith("{\"type\":\"log\"")) {
            return 0;
        }
        int at = text.lastIndexOf("\"cursor\":");
        if (at < 0) {
            return 0;
        }
        int start = at + 9;
        int end = start;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        return end == start ? 0 : Long.parseLong(text, start, end, 10);
    }

    private final class Listener implements WebSocket.Listener {
        private final int generation;
        private final StringBuilder partial = new StringBuilder();

        Listener(int generation) {
            this.generation = generation;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(Long.MAX_VALUE); // no demand bookkeeping per message: the client reads as fast as it can
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                onMessage(generation, text, now);
            }
            return null;
        }
    }
}
