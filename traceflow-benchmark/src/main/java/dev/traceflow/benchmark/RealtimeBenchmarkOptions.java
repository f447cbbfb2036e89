package dev.traceflow.benchmark;

import dev.traceflow.benchmark.BenchmarkOptions.UsageException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of {@link RealtimeBenchmark} (see {@link #USAGE}), with the variants and scenarios it names.
 */
record RealtimeBenchmarkOptions(int rounds, List<Scenario> scenarios, List<Variant> variants, Duration warmup, Duration duration,
                                int window, double fixedFraction, int payloadBytes, int ackEvery, Duration ackFlush, String client,
                                Path serverJar, String serverCpus, List<String> serverJvmArgs, Path nodeDir, Duration readyTimeout,
                                Path out) {

    static final String USAGE = """
            Usage: realtime-bench.sh [options]
              --rounds N             rounds; each measures every variant in every scenario (3)
              --scenarios LIST       SUBSCRIBERSxTOPICS,... with one publisher each (100x1,1000x10)
              --idle-connections N   an extra scenario: N subscribers that only connect, for memory (2000; 0: none)
              --variants LIST        traceflow, traceflow-ws, node, node-seq (all four); node is the baseline
              --warmup D             closed-loop publishing before measuring, per scenario (2s)
              --duration D           each measured phase: max rate, then fixed rate (4s)
              --window N             events in flight end to end at the max rate (50)
              --fixed-fraction F     the fixed phase publishes at F times the variant's max rate (0.5)
              --payload-bytes N      the payload's JSON size, about (100)
              --ack-every N          a subscriber acks cumulatively every N events of a topic (20, as the reference client)
              --ack-flush D          ... or this long after the last ack at most (1s, as the reference client)
              --client NAME          the load generator's client code for every server: raw (ws and hand-written
                                     Engine.IO / Socket.IO framing, cheap per message) or socket.io-client (raw)
              --server-jar FILE      the server (traceflow-server/target/traceflow-server.jar)
              --server-cpus LIST     taskset -c list for every server (TraceFlow and Node alike)
              --server-jvm-args ARGS extra JVM options of the TraceFlow server
              --node DIR             the folder of node-server.mjs and load.mjs, after npm ci (traceflow-benchmark/realtime)
              --ready-timeout D      wait this long for the servers (300s)
              --out FILE             JSON results (realtime-results.json)
            Durations: 500ms, 5s, 2m or plain seconds.""";

    /** load.mjs's client code (realtime/connections.mjs), the same for every server of a run. */
    static final String CLIENT_RAW = "raw";
    static final List<String> CLIENTS = List.of(CLIENT_RAW, "socket.io-client");

    /** What a variant is: which server it talks to and over which transport. */
    enum Variant {
        TRACEFLOW("traceflow", "sio"), TRACEFLOW_WS("traceflow-ws", "ws"), NODE("node", "sio"), NODE_SEQ("node-seq", "sio");

        final String wireName;
        final String transport;

        Variant(String wireName, String transport) {
            this.wireName = wireName;
            this.transport = transport;
        }

        boolean traceflow() {
            return this == TRACEFLOW || this == TRACEFLOW_WS;
        }

        static Variant parse(String name) throws UsageException {
            for (Variant v : values()) {
                if (v.wireName.equals(name)) {
                    return v;
                }
            }
            throw new UsageException("unknown variant " + name + " (traceflow, traceflow-ws, node, node-seq)");
        }
    }

    /** Subscribers spread over topics; an idle scenario only connects them (memory). */
    record Scenario(int subscribers, int topics, boolean idle) {

        String name() {
            return idle ? "idle-" + subscribers : subscribers + "x" + topics;
        }

        static Scenario parse(String text) throws UsageException {
            String[] parts = text.trim().split("x");
            try {
                if (parts.length == 2) {
                    var scenario = new Scenario(Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), false);
                    if (scenario.subscribers() > 0 && scenario.topics() > 0 && scenario.topics() <= scenario.subscribers()) {
                        return scenario;
                    }
                }
            } catch (NumberFormatException e) {
                // the message below says what is expected
            }
            throw new UsageException("a scenario is SUBSCRIBERSxTOPICS with 1 <= topics <= subscribers, not '" + text + "'");
        }

        /** The idle scenario: a topic per 100 connections, as a page subscribes to its shop's topic. */
        static Scenario idle(int connections) {
            return new Scenario(connections, Math.max(1, connections / 100), true);
        }
    }

    static RealtimeBenchmarkOptions parse(String[] args) throws UsageException {
        OptionReader r = OptionReader.of(args, List.of("help"), USAGE);
        List<Scenario> scenarios = new ArrayList<>();
        for (String s : r.text("scenarios", "100x1,1000x10").split(",")) {
            if (!s.isBlank()) {
                scenarios.add(Scenario.parse(s));
            }
        }
        long idle = r.longValue("idle-connections", 2_000);
        if (idle > 0) {
            scenarios.add(Scenario.idle((int) idle));
        }
        List<Variant> variants = new ArrayList<>();
        for (String v : r.text("variants", "traceflow,node,traceflow-ws,node-seq").split(",")) {
            variants.add(Variant.parse(v.trim()));
        }
        var options = new RealtimeBenchmarkOptions(r.positiveInt("rounds", 3), List.copyOf(scenarios), List.copyOf(variants),
                r.duration("warmup", Duration.ofSeconds(2), true), r.duration("duration", Duration.ofSeconds(4), false),
                r.positiveInt("window", 50), r.positiveDouble("fixed-fraction", 0.5), r.positiveInt("payload-bytes", 100),
                r.positiveInt("ack-every", 20), r.duration("ack-flush", Duration.ofSeconds(1), false),
                r.text("client", CLIENT_RAW), r.path("server-jar", "traceflow-server/target/traceflow-server.jar"),
                r.text("server-cpus", null), r.words("server-jvm-args"), r.path("node", "traceflow-benchmark/realtime"),
                r.duration("ready-timeout", Duration.ofSeconds(300), false), r.path("out", "realtime-results.json"));
        r.rejectUnknown();
        if (!variants.contains(Variant.NODE)) {
            throw new UsageException("--variants must include node: it is the baseline of every ratio");
        }
        if (!CLIENTS.contains(options.client())) {
            throw new UsageException("--client is one of " + String.join(", ", CLIENTS) + ", not " + options.client());
        }
        if (options.fixedFraction() > 1) {
            throw new UsageException("--fixed-fraction must be at most 1");
        }
        if (scenarios.isEmpty()) {
            throw new UsageException("no scenario to run");
        }
        return options;
    }
}
