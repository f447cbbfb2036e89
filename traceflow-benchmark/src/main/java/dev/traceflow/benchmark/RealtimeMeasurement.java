package dev.traceflow.benchmark;

/**
 * One server variant in one scenario of one round of the realtime benchmark ({@code realtime-bench.sh}).
 * Rates are per second of the phase; latencies in milliseconds from publish to receipt; {@code NaN}
 * where the scenario has no such phase (an idle scenario only connects) or the server could not tell
 * (no heap figure).
 *
 * @param deliveriesPerSecond events received by subscribers per second at the maximum rate (closed loop)
 * @param maxP50Ms            latency p50 at the maximum rate
 * @param maxP99Ms            latency p99 at the maximum rate
 * @param fixedRate           publishes per second of the fixed-rate phase (a fraction of this variant's maximum)
 * @param fixedP50Ms          latency p50 at the fixed rate, counted from when each publish was due
 * @param fixedP99Ms          latency p99 at the fixed rate
 * @param lost                deliveries expected (acknowledged publishes times their topic's subscribers) and
 *                            not received, both measured phases together
 * @param duplicates          events received again (a seq already seen on that connection and topic)
 * @param disconnects         connections the server ended during the run, and refused publishes
 * @param heapBytesPerConnection server heap after a full GC with the subscribers connected, minus before, per connection
 * @param rssBytesPerConnection  the same for the server's resident memory
 * @param maxServerCpu        the server's CPUs busy in the max phase (CPU seconds per second, from /proc): near the
 *                            CPUs it is pinned to, the server is the limit of {@code deliveriesPerSecond}
 * @param maxClientCpu        the same for the load generator (one process, one CPU): near 1, the client is the limit
 */
record RealtimeMeasurement(int round, String scenario, String variant,
                           double deliveriesPerSecond, double maxP50Ms, double maxP99Ms,
                           double fixedRate, double fixedP50Ms, double fixedP99Ms,
                           long lost, long duplicates, long disconnects,
                           double heapBytesPerConnection, double rssBytesPerConnection,
                           double maxServerCpu, double maxClientCpu) {

    /**
     * Deliveries per second of the server's CPU at the maximum rate: what it would deliver with one whole CPU if
     * it scaled, a figure that a machine shared with other work moves less than deliveries/s (a server that gets
     * a third of its CPU delivers about a third as much). NaN without a CPU figure.
     */
    double deliveriesPerServerCpuSecond() {
        return maxServerCpu > 0 ? deliveriesPerSecond / maxServerCpu : Double.NaN;
    }
}
