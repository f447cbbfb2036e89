package dev.traceflow.benchmark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
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
 * <p>
 * Two clients, the same checks: {@link Client#RAW} ({@link RawWebSocket}: one thread per connection
 * reading frames as bytes, the cursor read from the message's last field) and {@link Client#JDK}
 * (the JDK's {@code java.net.http.WebSocket}, as before 2026-12-05's evening: a hundred of them were
 * about as fast as one CPU goes, so the harness could not tell its own queueing from the server's).
 */
final class LogFollower {

    /** Which WebSocket client a follower reads with. */
    enum Client {
        RAW, JDK
    }

    private static final byte[] LOG_PREFIX = "{\"type\":\"log\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CURSOR_FIELD = "\"cursor\":".getBytes(StandardCharsets.US_ASCII);

    /** the JDK client to connect with; null: {@link Client#RAW} */
    private final HttpClient client;
    private final URI uri;
    private final String name;
    private final String buildId;
    /** when each cursor's line was written (System.nanoTime), set by the writer before it sends */
    private final AtomicLongArray writtenAt;
    /** when each cursor's line was printed by the command (System.nanoTime), set by the writer before it queues it */
    private final AtomicLongArray printedAt;
    private final LatencyHistogram latencies = new LatencyHistogram();
    private final LatencyHistogram sincePrinted = new LatencyHistogram();
    private final CountDownLatch ended = new CountDownLatch(1);
    /** the current connection: a JDK {@link WebSocket} or a {@link RawWebSocket} */
    private Object socket;
    /** which connection is current: a message of an older one is dropped */
    private int generation;
    private long lastCursor;
    private long received;
    private long outOfOrder;
    private int reconnects;
    private int failedConnects;
    private String lastConnectFailure;
    /** a resume whose new connection fails is tried again this many times in all */
    static final int MAX_CONNECT_ATTEMPTS = 5;
    private String unexpected;

    /**
     * @param client the JDK client to follow with, or null to follow with a {@link RawWebSocket}
     * @param name   the raw client's reading thread's name
     */
    LogFollower(HttpClient client, URI uri, String name, String buildId, AtomicLongArray writtenAt, AtomicLongArray printedAt) {
        this.client = client;
        this.uri = uri;
        this.name = name;
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
        if (client == null) {
            try {
                RawWebSocket ws = RawWebSocket.open(uri, new RawListener(mine), name);
                synchronized (this) {
                    socket = ws;
                }
                ws.sendText(subscribeMessage(buildId, cursor));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return;
        }
        WebSocket ws = client.newWebSocketBuilder().buildAsync(uri, new Listener(mine)).join();
        synchronized (this) {
            socket = ws;
        }
        ws.sendText(subscribeMessage(buildId, cursor), true).join();
    }

    private static void abort(Object socket) {
        if (socket instanceof WebSocket ws) {
            ws.abort();
        } else if (socket instanceof RawWebSocket raw) {
            raw.abort();
        }
    }

    static String subscribeMessage(String buildId, long cursor) {
        return cursor == 0 ? "{\"type\":\"subscribe\",\"buildId\":\"" + buildId + "\"}"
                : "{\"type\":\"subscribe\",\"buildId\":\"" + buildId + "\",\"cursor\":" + cursor + "}";
    }

    /** Drops the connection (no close frame, whatever is in flight is lost) and resumes on a new one. */
    void reconnect() {
        Object old;
        synchronized (this) {
            generation++;
            reconnects++;
            old = socket;
        }
        abort(old);
        for (int attempt = 1; ; attempt++) {
            try {
                connect();
                return;
            } catch (RuntimeException e) {
                // the server may end a new connection at once (on the loaded machine of 2026-12-05 one did): a client whose
                // network dropped tries again, and resumes from the same cursor, so the checks still hold
                synchronized (this) {
                    failedConnects++;
                    lastConnectFailure = e.toString();
                    generation++;
                }
                if (attempt == MAX_CONNECT_ATTEMPTS) {
                    throw e;
                }
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Connections that failed at once when resuming (each tried again), and the last one's failure, or null. */
    synchronized String connectFailures() {
        return failedConnects == 0 ? "none" : failedConnects + " (last: " + lastConnectFailure + ")";
    }

    void close() {
        Object ws;
        synchronized (this) {
            generation++;
            ws = socket;
        }
        abort(ws);
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
            line(cursor, receivedAt);
        } else if (text.startsWith("{\"type\":\"end\"")) {
            ended.countDown();
        } else if (unexpected == null) {
            unexpected = text;
        }
    }

    /** As {@link #onMessage}, for a message as its UTF-8 bytes: a log line's cursor is read without decoding it. */
    synchronized void onMessage(int from, byte[] utf8, int offset, int length, long receivedAt) {
        if (from != generation) {
            return;
        }
        long cursor = cursorOf(utf8, offset, length);
        if (cursor > 0) {
            line(cursor, receivedAt);
        } else {
            onMessage(from, new String(utf8, offset, length, StandardCharsets.UTF_8), receivedAt);
        }
    }

    private void line(long cursor, long receivedAt) {
        if (cursor != lastCursor + 1) {
            outOfOrder++;
        }
        lastCursor = Math.max(lastCursor, cursor);
        received++;
        if (cursor < writtenAt.length()) {
            latencies.record(receivedAt - writtenAt.get((int) cursor));
            sincePrinted.record(receivedAt - printedAt.get((int) cursor));
        }
    }

    /**
     * The cursor of a {@code log} message as UTF-8 bytes, when it is the message's last field (as the
     * server writes it); 0 otherwise, and the message is then read as text ({@link #cursorOf(String)}).
     */
    static long cursorOf(byte[] utf8, int offset, int length) {
        int end = offset + length - 1; // the closing brace
        if (length < LOG_PREFIX.length + CURSOR_FIELD.length + 2 || utf8[end] != '}' || !startsWith(utf8, offset, LOG_PREFIX)) {
            return 0;
        }
        int digits = end;
        while (digits > offset && utf8[digits - 1] >= '0' && utf8[digits - 1] <= '9') {
            digits--;
        }
        if (digits == end || end - digits > 18 || digits - CURSOR_FIELD.length < offset + LOG_PREFIX.length
                || !startsWith(utf8, digits - CURSOR_FIELD.length, CURSOR_FIELD)) {
            return 0;
        }
        long cursor = 0;
        for (int i = digits; i < end; i++) {
            cursor = cursor * 10 + (utf8[i] - '0');
        }
        return cursor;
    }

    private static boolean startsWith(byte[] b, int at, byte[] prefix) {
        if (at < 0 || at + prefix.length > b.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[at + i] != prefix[i]) {
                return false;
            }
        }
        return true;
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

    private final class RawListener implements RawWebSocket.Handler {
        private final int generation;

        RawListener(int generation) {
            this.generation = generation;
        }

        @Override
        public void text(byte[] buffer, int offset, int length, long receivedAtNanos) {
            onMessage(generation, buffer, offset, length, receivedAtNanos);
        }

        @Override
        public void closed(String why) {
            synchronized (LogFollower.this) {
                if (generation == LogFollower.this.generation && unexpected == null && ended.getCount() > 0) {
                    unexpected = "connection ended: " + why;
                }
            }
        }
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
