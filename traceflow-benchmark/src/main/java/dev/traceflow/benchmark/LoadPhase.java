package dev.traceflow.benchmark;

import java.time.Duration;

/**
 * One measured stretch of load against one endpoint.
 *
 * @param name              label in the report, e.g. {@code ingest}
 * @param path              the endpoint, e.g. {@code /api/collect/batch}
 * @param duration          how long new requests are started; in-flight ones then complete
 * @param requestsPerSecond 0 for a closed loop (each connection sends its next request as soon as
 *                          the previous answer arrived: measures the maximum); otherwise the total
 *                          fixed rate of an open loop, spread evenly over the connections
 */
public record LoadPhase(String name, String path, Duration duration, double requestsPerSecond) {

    public LoadPhase {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("phase " + name + " needs a positive duration");
        }
        if (requestsPerSecond < 0 || Double.isNaN(requestsPerSecond)) {
            throw new IllegalArgumentException("phase " + name + " needs a rate >= 0");
        }
    }

    /** A closed-loop phase: as fast as the server answers. */
    public static LoadPhase closedLoop(String name, String path, Duration duration) {
        return new LoadPhase(name, path, duration, 0);
    }

    /** An open-loop phase at a fixed total rate, in requests per second. */
    public static LoadPhase fixedRate(String name, String path, Duration duration, double requestsPerSecond) {
        if (requestsPerSecond <= 0) {
            throw new IllegalArgumentException("a fixed-rate phase needs a rate > 0");
        }
        return new LoadPhase(name, path, duration, requestsPerSecond);
    }

    public boolean openLoop() {
        return requestsPerSecond > 0;
    }
}
