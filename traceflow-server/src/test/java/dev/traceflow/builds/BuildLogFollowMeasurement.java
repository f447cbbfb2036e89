package dev.traceflow.builds;

import dev.traceflow.builds.internal.run.BuildLogSink.LogLine;
import dev.traceflow.builds.internal.run.JdbcBuildLogStore;
import dev.traceflow.support.TestAuth;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 21's log target, a measurement and not a test (surefire does not pick the name up; run it
 * with {@code traceflow-benchmark/build-log-bench.sh}, or {@code -Dtest=BuildLogFollowMeasurement}):
 * one build writes {@code bench.rate} lines a second (default 5,000) for {@code bench.seconds} (20)
 * through the log store, as the in-process worker does, while {@code bench.followers} (100) clients
 * follow it over {@code /ws}. Prints whether every follower got every line exactly once and in order,
 * and the latency from the write (just before the append) to each follower's receipt. Server and
 * clients share this JVM and the machine's cores.
 */
class BuildLogFollowMeasurement extends BuildsApiSupport {

    private static final int RATE = Integer.getInteger("bench.rate", 5000);
    private static final int SECONDS = Integer.getInteger("bench.seconds", 20);
    private static final int FOLLOWERS = Integer.getInteger("bench.followers", 100);
    /** the writer appends every 10 ms, as a worker batching its output would */
    private static final int BATCHES_PER_SECOND = 100;
    private static final int MAX_LATENCY_MS = 120_000;

    @LocalServerPort
    int port;
    @Autowired
    JdbcBuildLogStore store;

    /** One follower: checks order as lines come, and counts latencies in 1 ms buckets. */
    static final class Follower implements WebSocket.Listener {
        final AtomicLongArray writtenAt;
        final long[] latencyMs = new long[MAX_LATENCY_MS + 1];
        final CountDownLatch ended = new CountDownLatch(1);
        final StringBuilder partial = new StringBuilder();
        long expected = 1;
        long outOfOrder;
        String error;

        Follower(AtomicLongArray writtenAt) {
            this.writtenAt = writtenAt;
        }

        @Override
        public void onOpen(WebSocket socket) {
            socket.request(Long.MAX_VALUE); // no demand bookkeeping per message: the client reads as fast as it can
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            long now = System.nanoTime();
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                int at = text.indexOf("\"cursor\":");
                if (text.startsWith("{\"type\":\"log\"") && at >= 0) {
                    int end = at + 9;
                    while (end < text.length() && Character.isDigit(text.charAt(end))) {
                        end++;
                    }
                    long cursor = Long.parseLong(text, at + 9, end, 10);
                    if (cursor != expected) {
                        outOfOrder++;
                    }
                    expected = cursor + 1;
                    long ms = (now - writtenAt.get((int) cursor)) / 1_000_000;
                    latencyMs[(int) Math.min(MAX_LATENCY_MS, Math.max(0, ms))]++;
                } else if (text.startsWith("{\"type\":\"end\"")) {
                    ended.countDown();
                } else {
                    error = text;
                }
            }
            return null;
        }
    }

    @Test
    void oneBuildManyFollowers() throws Exception {
        String app = TestAuth.uniqueName("logbench").toLowerCase();
        auth.createApp(app);
        String buildId = UUID.randomUUID().toString();
        FakeBuildDirectory.BUILDS.add(buildId, app);
        int total = RATE * SECONDS;
        int perBatch = RATE / BATCHES_PER_SECOND;
        AtomicLongArray writtenAt = new AtomicLongArray(total + 1);

        // a user may hold 50 connections: the followers are viewers, 25 to a user
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < (FOLLOWERS + 24) / 25; i++) {
            String name = TestAuth.uniqueName("follower");
            tokens.add(auth.newUserToken(name));
            auth.grant(app, name, "viewer");
        }
        // one JDK client per 10 followers: each client has one selector thread, which would otherwise read for all 100
        List<HttpClient> clients = IntStream.range(0, (FOLLOWERS + 9) / 10).mapToObj(i -> HttpClient.newHttpClient()).toList();
        List<Follower> followers = new ArrayList<>();
        List<WebSocket> sockets = new ArrayList<>();
        for (int i = 0; i < FOLLOWERS; i++) {
            Follower f = new Follower(writtenAt);
            WebSocket socket = clients.get(i / 10).newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws?app=" + app + "&token="
                    + tokens.get(i / 25)), f).join();
            socket.sendText("{\"type\":\"subscribe\",\"buildId\":\"" + buildId + "\"}", true).join();
            followers.add(f);
            sockets.add(socket);
        }

        String padding = "x".repeat(40);
        long[] appendMicros = new long[total / perBatch + 1];
        long start = System.nanoTime();
        int batch = 0;
        for (int first = 1; first <= total; first += perBatch, batch++) {
            long due = start + batch * (1_000_000_000L / BATCHES_PER_SECOND);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            List<LogLine> lines = new ArrayList<>(perBatch);
            Instant ts = Instant.now();
            for (int i = 0; i < perBatch; i++) {
                lines.add(new LogLine(ts, "info", "build", "line " + (first + i) + " " + padding));
            }
            long before = System.nanoTime();
            for (int i = 0; i < perBatch; i++) {
                writtenAt.set(first + i, before);
            }
            store.append(buildId, 1, first, lines);
            appendMicros[batch] = (System.nanoTime() - before) / 1000;
        }
        double writeSeconds = (System.nanoTime() - start) / 1e9;
        store.finish(buildId, "success");
        long endBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        int ended = 0;
        for (Follower f : followers) {
            ended += f.ended.await(Math.max(0, endBy - System.nanoTime()), TimeUnit.NANOSECONDS) ? 1 : 0;
        }
        double allSeconds = (System.nanoTime() - start) / 1e9;
        sockets.forEach(WebSocket::abort);

        long[] merged = new long[MAX_LATENCY_MS + 1];
        int exact = 0;
        long receipts = 0;
        for (Follower f : followers) {
            long received = 0;
            for (int ms = 0; ms <= MAX_LATENCY_MS; ms++) {
                merged[ms] += f.latencyMs[ms];
                received += f.latencyMs[ms];
            }
            receipts += received;
            if (received == total && f.outOfOrder == 0 && f.expected == total + 1 && f.error == null) {
                exact++;
            }
        }
        java.util.Arrays.sort(appendMicros, 0, batch);
        System.out.printf("%nBUILD LOG BENCH: %d lines at %d/s for %d s (written in %.1f s, %.0f lines/s), %d followers over /ws%n",
                total, RATE, SECONDS, writeSeconds, total / writeSeconds, FOLLOWERS);
        System.out.printf("  followers with exactly lines 1..%d, in order: %d of %d; %d got end, %.1f s after the first write%n",
                total, exact, FOLLOWERS, ended, allSeconds);
        System.out.printf("  receipts: %d of %d (%.0f a second over the run)%n", receipts, (long) total * FOLLOWERS, receipts / allSeconds);
        System.out.printf("  write -> receipt latency (ms, %d receipts): p50 %d, p90 %d, p99 %d, p99.9 %d, max %d%n",
                receipts, percentile(merged, 0.50), percentile(merged, 0.90), percentile(merged, 0.99),
                percentile(merged, 0.999), percentile(merged, 1.0));
        System.out.printf("  append of %d lines (ms): p50 %.1f, p99 %.1f, max %.1f%n%n", perBatch, appendMicros[batch / 2] / 1000.0,
                appendMicros[(int) (batch * 0.99)] / 1000.0, appendMicros[batch - 1] / 1000.0);
        assertThat(exact).isEqualTo(FOLLOWERS);
    }

    private static long percentile(long[] buckets, double q) {
        long count = 0;
        for (long b : buckets) {
            count += b;
        }
        long rank = (long) Math.ceil(q * count);
        long seen = 0;
        for (int ms = 0; ms < buckets.length; ms++) {
            seen += buckets[ms];
            if (seen >= rank && buckets[ms] > 0) {
                return ms;
            }
        }
        return buckets.length - 1;
    }
}
