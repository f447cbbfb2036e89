package dev.traceflow.it;

import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Ingest's memory bounds (issue 17, item 3) against the packaged server at {@code -Xmx256m}. At
 * once: 200 gzip bodies that each inflate to 10 MiB (1,000 events of 10 KiB: 2 GB decoded in
 * total, which only the server-wide body budget and the storage queue's byte bound keep out of
 * the heap), and 500 connections that announce a 1 MiB body and send it a few bytes a second.
 *
 * <p>What the server must do: stay up (alive, {@code /healthz} 200 throughout, each within
 * {@link #HEALTH_BOUND}, no {@code OutOfMemoryError} in its output); answer every gzip body with
 * 202, 413 or 503 (503 with {@code Retry-After}); answer every slow connection, with 408
 * {@code BODY_TIMEOUT} once it has waited 10 s in all for the body's bytes, or with 503 and
 * {@code Retry-After} when admission (the storage queue over half full) or the body budget refused
 * it first. The slow connections never finish their body, so 202 and 413 cannot be theirs; the
 * server writes its answer and then closes the connection, and the test reads the answer while it
 * is still sending, so a connection closed without an answer, or none within
 * {@link #ANSWER_BOUND}, fails the test. Afterwards a normal client's batches must get 202 again
 * within seconds. Loopback only; the load runs on virtual threads. The output line gives the
 * answers counted and the server's heap figures.
 */
class IngestMemoryBoundIT {

    private static final String KEY = "memory-bound-key-0123";
    private static final String METRICS_TOKEN = "memory-bound-metrics-token-0123";
    private static final int GZIP_BODIES = 200;
    private static final int SLOW_CONNECTIONS = 500;
    private static final int DECODED_LIMIT = 10 * 1024 * 1024;
    /** Longer than the body timeout (10 s) plus the admission wait (2 s), with room for a busy machine. */
    private static final Duration ANSWER_BOUND = Duration.ofSeconds(45);
    /**
     * The longest one {@code /healthz} may take during the flood. Full collections and the flood's
     * CPU work hold a probe a few seconds on a 2-core machine shared with other builds (as CI's
     * are); the output line gives the slowest seen.
     */
    private static final Duration HEALTH_BOUND = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private Process server;

    @AfterEach
    void kill() {
        if (server != null) {
            server.destroyForcibly();
        }
    }

    @Test
    void inflatingAndSlowBodiesAtOnce_leaveTheServerUpAnsweringEveryRequestAndTakingBatchesAgain() throws Exception {
        int port = ServerProcesses.freePort();
        Path log = dir.resolve("server.log");
        Path gcLog = dir.resolve("gc.log");
        server = ServerProcesses.startJar(port, dir.resolve("data"), KEY, List.of("-Xmx256m", "-Xlog:gc:file=" + gcLog),
                Map.of("TRACEFLOW_METRICS_TOKEN", METRICS_TOKEN), log);
        String base = "http://127.0.0.1:" + port;
        ServerProcesses.awaitHealthy(server, new TestHttp(base), log, Duration.ofSeconds(90));
        byte[] gzipBody = gzip(batchInflatingTo(DECODED_LIMIT));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();

        Watch watch = new Watch(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), base);
        Map<String, Integer> gzipAnswers = new TreeMap<>();
        Map<String, Integer> slowAnswers = new TreeMap<>();
        long started = System.nanoTime();
        try (ExecutorService load = Executors.newVirtualThreadPerTaskExecutor()) {
            watch.start(load);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<String>> gzip = new ArrayList<>();
            List<Future<String>> slow = new ArrayList<>();
            for (int i = 0; i < SLOW_CONNECTIONS; i++) {
                slow.add(load.submit(() -> {
                    go.await();
                    return slowBody(port);
                }));
                if (i < GZIP_BODIES) {
                    gzip.add(load.submit(() -> {
                        go.await();
                        return postGzip(client, base, gzipBody);
                    }));
                }
            }
            go.countDown();
            try {
                for (Future<String> f : gzip) {
                    gzipAnswers.merge(f.get(ANSWER_BOUND.toSeconds() + 30, TimeUnit.SECONDS), 1, Integer::sum);
                }
                for (Future<String> f : slow) {
                    slowAnswers.merge(f.get(ANSWER_BOUND.toSeconds() + 30, TimeUnit.SECONDS), 1, Integer::sum);
                }
            } finally {
                watch.stop();
            }
        }
        long loadSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

        TestHttp http = new TestHttp(base);
        long afterLoad = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> postSmallBatch(http).status(), status -> status == 202);
        long recoveredMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - afterLoad);
        for (int i = 0; i < 5; i++) {
            TestHttp.Response r = postSmallBatch(http);
            assertThat(r.status()).as("a normal client's batch after the flood: " + r).isEqualTo(202);
        }

        GcFigures gc = GcFigures.read(gcLog);
        System.out.printf("IngestMemoryBoundIT: gzip bodies %s, slow connections %s, load %d s, 202 again after %d ms; "
                        + "healthz %d checks, slowest %d ms, not 200: %s; peak heap used %d MiB (metrics, sampled), "
                        + "before GC %d MiB, after GC %d MiB (GC log: %d collections; %d full, live after them at most %d MiB); "
                        + "peak ingest buffered %d MiB, storage queue %d MiB%n",
                gzipAnswers, slowAnswers, loadSeconds, recoveredMillis, watch.healthChecks.get(), watch.slowestHealthMillis.get(),
                watch.unhealthy, watch.heapUsed.get() >> 20, gc.peakBeforeMiB(), gc.peakAfterMiB(), gc.collections(),
                gc.full(), gc.peakAfterFullMiB(), watch.ingestBuffered.get() >> 20, watch.queueBytes.get() >> 20);

        assertThat(server.isAlive()).as("the server process").isTrue();
        String output = Files.readString(log);
        assertThat(output).doesNotContain("OutOfMemoryError");
        assertThat(watch.unhealthy).as("/healthz during the flood").isEmpty();
        assertThat(watch.healthChecks.get()).as("/healthz was asked during the flood").isPositive();
        assertThat(new TestHttp(base).get("/healthz").status()).isEqualTo(200);
        assertThat(count(gzipAnswers)).isEqualTo(GZIP_BODIES);
        assertThat(gzipAnswers.keySet()).as("every gzip body answered 202, 413 or 503 (with Retry-After)")
                .isSubsetOf("202", "413", "503 Retry-After");
        assertThat(count(slowAnswers)).isEqualTo(SLOW_CONNECTIONS);
        assertThat(slowAnswers.keySet()).as("every slow connection answered before it was closed")
                .isSubsetOf("408 BODY_TIMEOUT", "503 Retry-After");
    }

    private static int count(Map<String, Integer> answers) {
        return answers.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** A batch of 1,000 custom events with a padding property, as close to {@code limit} bytes as fits. */
    private static byte[] batchInflatingTo(int limit) {
        String head = "{\"appId\":\"demo\",\"type\":\"event\",\"name\":\"flood\",\"timestamp\":" + System.currentTimeMillis()
                + ",\"properties\":{\"pad\":\"";
        String tail = "\"}}";
        int events = 1000;
        int perEvent = (limit - 2) / events; // with its comma
        String pad = "x".repeat(perEvent - 1 - head.length() - tail.length());
        StringBuilder body = new StringBuilder(limit).append('[');
        for (int i = 0; i < events; i++) {
            body.append(i == 0 ? "" : ",").append(head).append(pad).append(tail);
        }
        byte[] bytes = body.append(']').toString().getBytes(StandardCharsets.UTF_8);
        assertThat(bytes.length).isLessThanOrEqualTo(limit).isGreaterThan(limit - events - 2);
        return bytes;
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    /** The status, with "Retry-After" appended to a 503 that carries it, or what went wrong instead. */
    private static String postGzip(HttpClient client, String base, byte[] body) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/collect/batch"))
                .timeout(ANSWER_BOUND)
                .header("Content-Type", "application/json").header("Content-Encoding", "gzip").header("X-TraceFlow-Key", KEY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
            HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent()
                    ? "503 Retry-After" : Integer.toString(r.statusCode());
        } catch (IOException e) {
            return "no answer: " + e.getClass().getSimpleName() + " " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /**
     * Announces a 1 MiB JSON body and sends it at 4 bytes a second until the server answers;
     * returns the answer's status (with the error code of a 408 and Retry-After of a 503), or how
     * the connection ended without one.
     */
    private static String slowBody(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 10_000);
            socket.setSoTimeout((int) ANSWER_BOUND.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/collect/batch HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/json\r\n"
                    + "X-TraceFlow-Key: " + KEY + "\r\nContent-Length: 1048576\r\n\r\n[").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            AtomicBoolean answered = new AtomicBoolean();
            Thread trickle = Thread.ofVirtual().start(() -> {
                try {
                    while (!answered.get()) {
                        Thread.sleep(1000);
                        out.write("    ".getBytes(StandardCharsets.US_ASCII)); // JSON whitespace
                        out.flush();
                    }
                } catch (IOException | InterruptedException stopped) {
                    // the server answered and closed, or the test is done with this connection
                }
            });
            try {
                return answer(socket.getInputStream());
            } finally {
                answered.set(true);
                trickle.interrupt();
            }
        } catch (SocketTimeoutException e) {
            return "no answer within " + ANSWER_BOUND.toSeconds() + " s";
        } catch (IOException e) {
            return "no answer: " + e.getClass().getSimpleName() + " " + e.getMessage();
        }
    }

    /** Reads an HTTP/1.1 answer's head and as much of its body as names the error code. */
    private static String answer(InputStream in) throws IOException {
        ByteArrayOutputStream seen = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        while (true) {
            String text = seen.toString(StandardCharsets.ISO_8859_1);
            int headEnd = text.indexOf("\r\n\r\n");
            if (headEnd >= 0) {
                int status = Integer.parseInt(text.substring(9, 12));
                if (status == 503) {
                    return text.substring(0, headEnd).toLowerCase().contains("\r\nretry-after:") ? "503 Retry-After" : "503";
                }
                Matcher code = Pattern.compile("\"code\"\\s*:\\s*\"([A-Z_]+)\"").matcher(text.substring(headEnd));
                if (code.find()) {
                    return status + " " + code.group(1);
                }
            }
            int n = in.read(buffer);
            if (n < 0) {
                return text.isEmpty() ? "closed without an answer" : "cut short: " + text.lines().findFirst().orElse("");
            }
            seen.write(buffer, 0, n);
        }
    }

    private static TestHttp.Response postSmallBatch(TestHttp http) {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 10; i++) {
            body.append(i == 0 ? "" : ",").append("{\"appId\":\"demo\",\"type\":\"pageview\",\"timestamp\":")
                    .append(System.currentTimeMillis()).append(",\"url\":\"https://shop.test/after\"}");
        }
        return http.post("/api/collect/batch", body.append(']').toString(), "Content-Type", "application/json",
                "X-TraceFlow-Key", KEY);
    }

    /**
     * Asks {@code /healthz} every 250 ms (each within {@link #HEALTH_BOUND}) and samples the server's heap and ingest
     * meters every 500 ms, while the flood runs.
     */
    private static final class Watch {

        private final HttpClient client;
        private final String base;
        private final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicLong healthChecks = new AtomicLong();
        final AtomicLong slowestHealthMillis = new AtomicLong();
        final List<String> unhealthy = new CopyOnWriteArrayList<>();
        final AtomicLong heapUsed = new AtomicLong();
        final AtomicLong ingestBuffered = new AtomicLong();
        final AtomicLong queueBytes = new AtomicLong();
        private final List<Future<?>> loops = new ArrayList<>();

        Watch(HttpClient client, String base) {
            this.client = client;
            this.base = base;
        }

        void start(ExecutorService executor) {
            loops.add(executor.submit(() -> every(250, this::checkHealth)));
            loops.add(executor.submit(() -> every(500, this::sampleMeters)));
        }

        void stop() throws Exception {
            running.set(false);
            for (Future<?> loop : loops) {
                loop.get(30, TimeUnit.SECONDS);
            }
        }

        private void every(long millis, Runnable check) {
            while (running.get()) {
                check.run();
                try {
                    Thread.sleep(millis);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        private void checkHealth() {
            healthChecks.incrementAndGet();
            long start = System.nanoTime();
            try {
                int status = client.send(HttpRequest.newBuilder(URI.create(base + "/healthz")).timeout(HEALTH_BOUND).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status != 200) {
                    unhealthy.add(Integer.toString(status));
                }
            } catch (IOException | InterruptedException e) {
                unhealthy.add(e.getClass().getSimpleName());
            }
            slowestHealthMillis.accumulateAndGet(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), Math::max);
        }

        private void sampleMeters() {
            try {
                String metrics = client.send(HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus"))
                        .timeout(Duration.ofSeconds(5)).header("Authorization", "Bearer " + METRICS_TOKEN).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                heapUsed.accumulateAndGet(sum(metrics, "jvm_memory_used_bytes", "area=\"heap\""), Math::max);
                ingestBuffered.accumulateAndGet(sum(metrics, "traceflow_ingest_buffered_bytes", ""), Math::max);
                queueBytes.accumulateAndGet(sum(metrics, "traceflow_storage_queue_bytes", ""), Math::max);
            } catch (IOException | InterruptedException e) {
                // a missed sample; health is what is asserted
            }
        }

        private static long sum(String metrics, String name, String label) {
            return (long) metrics.lines().filter(l -> l.startsWith(name + "{") && l.contains(label))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        }
    }

    /** Heap figures from the server's {@code -Xlog:gc} lines ({@code ... 150M->40M(256M) 5.1ms}). */
    private record GcFigures(long peakBeforeMiB, long peakAfterMiB, int collections, int full, long peakAfterFullMiB) {

        private static final Pattern PAUSE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

        static GcFigures read(Path gcLog) throws IOException {
            long before = 0;
            long after = 0;
            int collections = 0;
            int full = 0;
            long afterFull = 0;
            for (String line : Files.readAllLines(gcLog)) {
                Matcher m = PAUSE.matcher(line);
                if (m.find()) {
                    collections++;
                    before = Math.max(before, Long.parseLong(m.group(1)));
                    after = Math.max(after, Long.parseLong(m.group(2)));
                    if (line.contains("Pause Full")) {
                        full++;
                        afterFull = Math.max(afterFull, Long.parseLong(m.group(2)));
                    }
                }
            }
            return new GcFigures(before, after, collections, full, afterFull);
        }
    }
}
