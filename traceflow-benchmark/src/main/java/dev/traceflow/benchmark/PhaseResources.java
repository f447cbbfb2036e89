package dev.traceflow.benchmark;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where one phase's CPU went, per event it accepted: the server's threads by job, and the load
 * generator (this process); and the server's resident memory when the phase ended. Measured from
 * the phase's start until its events were stored (the ingest phases wait for that), so the
 * loader's work for the phase is inside.
 *
 * @param phase                   the phase's name
 * @param seconds                 the measured window, in seconds
 * @param events                  events the phase accepted (the per-event divisor)
 * @param coresBusy               server and load generator CPU seconds per second of the window
 * @param serverMicrosPerEvent    server CPU per event in microseconds, by {@link #SERVER_GROUPS} key;
 *                                empty when the server is not ours to read (--no-server)
 * @param serverMicrosTotal       the sum of those
 * @param loadGeneratorMicrosPerEvent the harness's own CPU per event, in microseconds
 * @param serverRssMiB            the server's resident memory at the window's end; null when unknown
 * @param serverPeakRssMiB        the most it had been resident since it started; null when unknown
 */
public record PhaseResources(String phase, double seconds, long events, double coresBusy,
                             Map<String, Double> serverMicrosPerEvent, double serverMicrosTotal,
                             double loadGeneratorMicrosPerEvent, Long serverRssMiB, Long serverPeakRssMiB) {

    /** The server's thread groups, in report order: JSON key and what it covers. */
    static final List<Map.Entry<String, String>> SERVER_GROUPS = List.of(
            Map.entry("requests", "requests: HTTP, JSON, processing, encoding"),
            Map.entry("loader", "storage loader (DuckDB append + commit)"),
            Map.entry("journal", "journal (write + fsync)"),
            Map.entry("gc", "garbage collector (with the VM Thread)"),
            Map.entry("jit", "JIT compiler"),
            Map.entry(ProcessCpu.OTHER, "other server threads"));

    /**
     * The group of a server thread, by the name Linux shows (the Java name cut to 15 bytes). Request
     * handlers are virtual threads, so their CPU shows on the carriers ({@code ForkJoinPool-1-worker-N});
     * the common pool ({@code ForkJoinPool.commonPool}) is not one of them.
     */
    static String groupOfServerThread(String name) {
        if (name.startsWith("ForkJoinPool-") || name.startsWith("http-nio-") || name.startsWith("tomcat-handler")) {
            return "requests";
        }
        if (name.startsWith("traceflow-stor")) {
            return "loader";
        }
        if (name.startsWith("traceflow-jour")) {
            return "journal";
        }
        // The Serial collector, which the JVM picks on one CPU (a server pinned with taskset), collects
        // on the VM Thread; under the other collectors that thread only runs short safepoint work.
        if (name.startsWith("GC Thread") || name.startsWith("G1 ") || name.startsWith("ZGC") || name.startsWith("Parallel GC")
                || name.equals("VM Thread")) {
            return "gc";
        }
        if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
            return "jit";
        }
        return ProcessCpu.OTHER;
    }

    /** Snapshots taken at a phase's start. */
    record Start(long nanoTime, Optional<ProcessCpu.Snapshot> server, Optional<ProcessCpu.Snapshot> loadGenerator) {
    }

    /** @param serverPid the server process, or null when this run did not start it */
    static Start start(Long serverPid) {
        return new Start(System.nanoTime(),
                serverPid == null ? Optional.empty() : ProcessCpu.read(serverPid, PhaseResources::groupOfServerThread),
                ProcessCpu.read(ProcessHandle.current().pid(), name -> "load generator"));
    }

    /** The phase's CPU since {@code start}, and the server's memory now; empty when /proc could not be read or nothing was accepted. */
    static Optional<PhaseResources> since(Start start, Long serverPid, String phase, long events) {
        double seconds = (System.nanoTime() - start.nanoTime()) / 1e9;
        Optional<ProcessCpu.Snapshot> client = start.loadGenerator().flatMap(before ->
                ProcessCpu.read(ProcessHandle.current().pid(), name -> "load generator").map(now -> now.since(before)));
        if (client.isEmpty() || events <= 0 || seconds <= 0) {
            return Optional.empty();
        }
        Optional<ProcessCpu.Snapshot> server = serverPid == null ? Optional.empty() : start.server().flatMap(before ->
                ProcessCpu.read(serverPid, PhaseResources::groupOfServerThread).map(now -> now.since(before)));
        Map<String, Double> perEvent = new LinkedHashMap<>();
        double serverTotal = 0;
        if (server.isPresent()) {
            for (Map.Entry<String, String> group : SERVER_GROUPS) {
                double micros = server.get().groupNanos().getOrDefault(group.getKey(), 0L) / 1e3 / events;
                perEvent.put(group.getKey(), micros);
                serverTotal += micros;
            }
        }
        long busyNanos = client.get().totalNanos() + server.map(ProcessCpu.Snapshot::totalNanos).orElse(0L);
        Optional<ProcessMemory> memory = serverPid == null ? Optional.empty() : ProcessMemory.read(serverPid);
        return Optional.of(new PhaseResources(phase, seconds, events, busyNanos / 1e9 / seconds, perEvent, serverTotal,
                client.get().totalNanos() / 1e3 / events,
                memory.map(m -> m.rssBytes() >> 20).orElse(null), memory.map(m -> m.peakRssBytes() >> 20).orElse(null)));
    }

    /** Server and load generator together, in microseconds per event. */
    public double totalMicrosPerEvent() {
        return serverMicrosTotal + loadGeneratorMicrosPerEvent;
    }
}
