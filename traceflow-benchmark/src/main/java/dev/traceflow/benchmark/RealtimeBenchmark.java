package dev.traceflow.benchmark;

import dev.traceflow.benchmark.BenchmarkOptions.UsageException;
import dev.traceflow.benchmark.RealtimeBenchmarkOptions.Scenario;
import dev.traceflow.benchmark.RealtimeBenchmarkOptions.Variant;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Issue 19's targets, side by side with a Node Socket.IO 4 server in the same run (started by
 * {@code realtime-bench.sh}): (A) TraceFlow's gateway from the built jar, over Socket.IO's namespace
 * {@code /realtime} ({@code traceflow}) and over the plain WebSocket {@code /ws} ({@code traceflow-ws});
 * (B) the reference server {@code realtime/node-server.mjs} ({@code node}), also with per-topic seq
 * numbers ({@code node-seq}). Every server is pinned to the same CPUs ({@code --server-cpus}), the load
 * generator {@code realtime/load.mjs} runs on this harness's CPUs (CLIENT_CPUS) and drives every variant
 * with the same client code ({@code --client}). Rounds alternate the variants' order. Per scenario and variant:
 * deliveries/s at the maximum rate, p50/p99 there and at a fixed fraction of it, loss, the server's and the
 * load generator's CPU at the maximum rate (which side was the limit), and the server's heap (after a full
 * GC) and RSS per connection.
 */
public final class RealtimeBenchmark {

    /** Issue 19: TraceFlow delivers at least twice as much as the Node server, 100 subscribers on one topic. */
    static final double TARGET_RATIO = 2.0;
    static final double TARGET_P99_MILLIS = 50;
    static final double TARGET_HEAP_BYTES_PER_CONNECTION = 16 * 1024;
    static final String TARGET_SCENARIO = "100x1";
    static final String BASELINE = "node";
    private static final int CONNECT_CONCURRENCY = 100;

    /** The order of the variants in a round: the first round as given, every other one reversed. */
    static List<Variant> order(List<Variant> variants, int round) {
        List<Variant> order = new ArrayList<>(variants);
        if (round % 2 == 0) {
            java.util.Collections.reverse(order);
        }
        return order;
    }

    private final RealtimeBenchmarkOptions options;
    private final PrintStream out;
    // HTTP/1.1: the default h2c upgrade header would reach the Node server's WebSocket upgrade handler, which drops the request
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    RealtimeBenchmark(RealtimeBenchmarkOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help")) {
            System.out.println(RealtimeBenchmarkOptions.USAGE);
            return;
        }
        RealtimeBenchmarkOptions options;
        try {
            options = RealtimeBenchmarkOptions.parse(args);
        } catch (UsageException e) {
            System.err.println(e.getMessage());
            System.exit(IngestBenchmark.EXIT_USAGE);
            return;
        }
        System.exit(new RealtimeBenchmark(options, System.out).run());
    }

    /** A server under test: its pid (for RSS), where clients connect, and how its heap is read. */
    private interface Target {
        long pid();

        String url();

        /** Heap in use after a full GC, in bytes; NaN when it cannot be read. */
        double heapAfterGc() throws IOException, InterruptedException;
    }

    int run() throws IOException, InterruptedException {
        Path javaHome = JdkFinder.findForServer().orElse(null);
        if (javaHome == null) {
            out.println("FAILED: no JDK >= " + JdkFinder.MINIMUM_FEATURE_VERSION + " for the server");
            return QueryBenchmark.EXIT_NO_SERVER;
        }
        Path loadScript = options.nodeDir().resolve("load.mjs").toAbsolutePath();
        if (!Files.isDirectory(options.nodeDir().resolve("node_modules/socket.io"))) {
            out.println("FAILED: " + options.nodeDir() + "/node_modules missing: npm ci there first (realtime-bench.sh does)");
            return QueryBenchmark.EXIT_NO_SERVER;
        }
        RealtimeReport report = new RealtimeReport(options);
        Path dataDir = BenchmarkSetup.prepareDataDir(null, "traceflow-realtime-bench-");
        String adminPassword = "bench-" + BenchmarkSetup.hex(16);
        String metricsToken = "metrics-" + BenchmarkSetup.hex(16);
        // The Node server has no limits: lift TraceFlow's rate limits so the benchmark measures delivery, not
        // the limiter (one publisher connection sends thousands of messages a second; every subscriber comes
        // from 127.0.0.1). Everything else (acks, redelivery, history, idempotency, send queues) stays on.
        Map<String, String> settings = Map.of(
                "TRACEFLOW_METRICS_TOKEN", metricsToken,
                "TRACEFLOW_REALTIME_MAX_CONNECTIONS_PER_IP", "100000",
                "TRACEFLOW_REALTIME_MESSAGES_PER_SECOND_PER_CONNECTION", "1000000",
                "TRACEFLOW_REALTIME_PUBLISHES_PER_SECOND_PER_TOPIC", "1000000");
        var launch = new ServerProcess.Launch(javaHome, options.serverJar(), dataDir, FreePort.pick(), "tfb_" + BenchmarkSetup.hex(16),
                options.serverCpus(), options.serverJvmArgs(), adminPassword, settings);
        List<RealtimeMeasurement> measurements = new ArrayList<>();
        List<Map<String, Object>> raw = new ArrayList<>();
        try (ServerProcess server = BenchmarkSetup.startServer(launch, options.readyTimeout(), "realtime", out);
             ApiClient api = new ApiClient(BenchmarkSetup.base(server), adminPassword);
             NodeServer node = options.variants().contains(Variant.NODE) ? NodeServer.start(options, false) : null;
             NodeServer nodeSeq = options.variants().contains(Variant.NODE_SEQ) ? NodeServer.start(options, true) : null) {
            Keys keys = keys(api);
            Target traceflow = new Target() {
                public long pid() {
                    return server.pid();
                }

                public String url() {
                    return BenchmarkSetup.base(server);
                }

                public double heapAfterGc() throws IOException, InterruptedException {
                    return traceflowHeap(javaHome, server, metricsToken);
                }
            };
            for (int round = 1; round <= options.rounds(); round++) {
                for (Scenario scenario : options.scenarios()) {
                    for (Variant variant : order(options.variants(), round)) {
                        Target target = switch (variant) {
                            case TRACEFLOW, TRACEFLOW_WS -> traceflow;
                            case NODE -> node.target(http);
                            case NODE_SEQ -> nodeSeq.target(http);
                        };
                        out.printf(Locale.ROOT, "round %d, %s, %s ...%n", round, scenario.name(), variant.wireName);
                        JsonNode result = measure(loadScript, target, variant, scenario, keys);
                        Map<String, Object> entry = new LinkedHashMap<>();
                        entry.put("round", round);
                        entry.put("scenario", scenario.name());
                        entry.put("variant", variant.wireName);
                        entry.put("result", result);
                        raw.add(entry);
                        RealtimeMeasurement m = measurement(round, scenario, variant, result);
                        measurements.add(m);
                        out.printf(Locale.ROOT, "  %,.0f deliveries/s (CPU server %.2f, client %.2f), p99 %.1f ms at max, %.1f ms at fixed; lost %d; heap %,.0f B/conn%n",
                                m.deliveriesPerSecond(), m.maxServerCpu(), m.maxClientCpu(), m.maxP99Ms(), m.fixedP99Ms(), m.lost(),
                                m.heapBytesPerConnection());
                    }
                }
            }
            server.stop(Duration.ofSeconds(30));
        } catch (ServerStartException e) {
            out.println("FAILED: " + e.getMessage());
            return QueryBenchmark.EXIT_NO_SERVER;
        } finally {
            BenchmarkSetup.deleteTree(dataDir);
        }
        report.write(measurements, raw, out);
        return 0;
    }

    record Keys(String server, String browser) {
    }

    /** A server key for the publisher, a browser key for the subscribers (anonymous pages), and a rule that lets them. */
    private static Keys keys(ApiClient api) throws IOException, InterruptedException {
        String serverKey = key(api, "server");
        String browserKey = key(api, "browser");
        var rules = api.putJson("/api/apps/demo/realtime/rules",
                "{\"rules\":[{\"pattern\":\"bench:*\",\"subscribe\":\"anonymous\",\"publish\":\"server\"}]}");
        if (rules.status() != 200) {
            throw new IOException("PUT realtime rules answered HTTP " + rules.status() + ": " + rules.body());
        }
        return new Keys(serverKey, browserKey);
    }

    private static String key(ApiClient api, String kind) throws IOException, InterruptedException {
        var answer = api.postJson("/api/apps/demo/realtime/keys", "{\"kind\":\"" + kind + "\"}");
        if (answer.status() != 201 && answer.status() != 200) {
            throw new IOException("POST realtime key (" + kind + ") answered HTTP " + answer.status() + ": " + answer.body());
        }
        return answer.json().path("key").asString();
    }

    /** Memory before, the load generator's connect, memory after, its phases, its figures. */
    private JsonNode measure(Path loadScript, Target target, Variant variant, Scenario scenario, Keys keys)
            throws IOException, InterruptedException {
        double heapBefore = target.heapAfterGc();
        double rssBefore = ProcessMemory.read(target.pid()).map(ProcessMemory::rssBytes).orElse(-1L);
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("url", target.url());
        load.put("transport", variant.transport);
        load.put("client", options.client());
        load.put("serverPid", target.pid());
        load.put("subscriberToken", keys.browser());
        load.put("publisherToken", keys.server());
        load.put("subscribers", scenario.subscribers());
        load.put("topics", scenario.topics());
        load.put("idle", scenario.idle());
        load.put("warmupMs", options.warmup().toMillis());
        load.put("durationMs", options.duration().toMillis());
        load.put("fixedFraction", options.fixedFraction());
        load.put("window", options.window());
        load.put("payloadBytes", options.payloadBytes());
        load.put("ackEvery", options.ackEvery());
        load.put("ackFlushMs", options.ackFlush().toMillis());
        load.put("connectConcurrency", CONNECT_CONCURRENCY);
        // The load generator inherits this harness's CPUs (CLIENT_CPUS); the tokens go in its argument, which only
        // this user can read (/proc/PID/cmdline), and are the run's own throwaway keys.
        Process client = new ProcessBuilder("node", loadScript.toString(), JsonMapper.shared().writeValueAsString(load))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
             Writer stdin = new java.io.OutputStreamWriter(client.getOutputStream(), StandardCharsets.UTF_8)) {
            JsonNode connected = expectStage(lines, "connected");
            double heapAfter = target.heapAfterGc();
            double rssAfter = ProcessMemory.read(target.pid()).map(ProcessMemory::rssBytes).orElse(-1L);
            stdin.write("go\n");
            stdin.flush();
            JsonNode result = expectStage(lines, "result");
            expectStage(lines, "closed");
            var node = (tools.jackson.databind.node.ObjectNode) result;
            int n = connected.path("subscribers").asInt();
            node.put("heapBytesPerConnection", Double.isNaN(heapAfter) || Double.isNaN(heapBefore) ? Double.NaN : (heapAfter - heapBefore) / n);
            node.put("rssBytesPerConnection", rssBefore < 0 || rssAfter < 0 ? Double.NaN : (rssAfter - rssBefore) / n);
            node.put("heapBefore", heapBefore);
            node.put("heapAfter", heapAfter);
            node.put("rssBefore", rssBefore);
            node.put("rssAfter", rssAfter);
            return node;
        } finally {
            if (!client.waitFor(30, TimeUnit.SECONDS)) {
                client.destroyForcibly();
            }
        }
    }

    private static JsonNode expectStage(BufferedReader lines, String stage) throws IOException {
        String line;
        while ((line = lines.readLine()) != null) {
            JsonNode json = JsonMapper.shared().readTree(line);
            if (stage.equals(json.path("stage").asString())) {
                return json;
            }
            if ("failed".equals(json.path("stage").asString())) {
                throw new IOException("load generator failed: " + json.path("message").asString());
            }
        }
        throw new IOException("load generator ended before '" + stage + "'");
    }

    static RealtimeMeasurement measurement(int round, Scenario scenario, Variant variant, JsonNode r) {
        JsonNode max = r.path("max");
        JsonNode fixed = r.path("fixed");
        long disconnects = r.path("unexpectedDisconnects").asLong() + max.path("publishErrors").asLong() + fixed.path("publishErrors").asLong();
        return new RealtimeMeasurement(round, scenario.name(), variant.wireName,
                number(max, "deliveriesPerSecond"), number(max, "p50Ms"), number(max, "p99Ms"),
                number(fixed, "publishRate"), number(fixed, "p50Ms"), number(fixed, "p99Ms"),
                max.path("lost").asLong() + fixed.path("lost").asLong(), r.path("duplicates").asLong(), disconnects,
                number(r, "heapBytesPerConnection"), number(r, "rssBytesPerConnection"),
                number(max, "serverCpu"), number(max, "clientCpu"));
    }

    private static double number(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return value.isNumber() ? value.asDouble() : Double.NaN;
    }

    /** TraceFlow's heap after a full GC: {@code jcmd GC.run}, then Micrometer's heap figure (every heap pool). */
    private double traceflowHeap(Path javaHome, ServerProcess server, String metricsToken) throws IOException, InterruptedException {
        Path jcmd = JdkFinder.javaExecutable(javaHome).resolveSibling("jcmd");
        Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(server.pid()), "GC.run")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) {
            gc.destroyForcibly();
            return Double.NaN;
        }
        var response = http.send(HttpRequest.newBuilder(URI.create(BenchmarkSetup.base(server) + "/actuator/prometheus"))
                .header("Authorization", "Bearer " + metricsToken).timeout(Duration.ofSeconds(30)).GET().build(), BodyHandlers.ofString());
        return response.statusCode() == 200 ? heapUsed(response.body()) : Double.NaN;
    }

    /** The sum of {@code jvm_memory_used_bytes} over the pools with {@code area="heap"}; NaN when there is none. */
    static double heapUsed(String exposition) {
        double total = 0;
        boolean found = false;
        for (String line : exposition.split("\n")) {
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf('}') + 1).trim().split(" ")[0]);
                found = true;
            }
        }
        return found ? total : Double.NaN;
    }

    /** The reference server B as a child process, pinned like TraceFlow's. */
    private static final class NodeServer implements AutoCloseable {
        private final Process process;
        private final int port;

        private NodeServer(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static NodeServer start(RealtimeBenchmarkOptions options, boolean withSeq) throws IOException {
            List<String> command = new ArrayList<>();
            if (options.serverCpus() != null && !options.serverCpus().isBlank()) {
                command.addAll(List.of("taskset", "-c", options.serverCpus()));
            }
            command.addAll(List.of("node", "--expose-gc", options.nodeDir().resolve("node-server.mjs").toAbsolutePath().toString(),
                    "--port", "0"));
            if (withSeq) {
                command.add("--seq");
            }
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String first = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
            if (first == null) {
                process.destroyForcibly();
                throw new IOException("the Node server ended before it listened: " + String.join(" ", command));
            }
            return new NodeServer(process, JsonMapper.shared().readTree(first).path("port").asInt());
        }

        Target target(HttpClient http) {
            String url = "http://127.0.0.1:" + port;
            return new Target() {
                public long pid() {
                    return process.pid();
                }

                public String url() {
                    return url;
                }

                public double heapAfterGc() throws IOException, InterruptedException {
                    var response = http.send(HttpRequest.newBuilder(URI.create(url + "/bench/memory")).timeout(Duration.ofSeconds(30))
                            .GET().build(), BodyHandlers.ofString());
                    return response.statusCode() == 200 ? JsonMapper.shared().readTree(response.body()).path("heapUsed").asDouble() : Double.NaN;
                }
            };
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
