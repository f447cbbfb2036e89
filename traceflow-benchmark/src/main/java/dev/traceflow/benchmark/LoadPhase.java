package dev.traceflow.benchmark;

import java.time.Duration;

/**
 * One measured stretch of load against one endpoint.
 *
 * @param name                  label in the report, e.g. {@code ingest}
 * @param path                  the endpoint, e.g. {@code /api/collect/batch}
 * @param duration              how long new requests are started; in-flight ones then complete
 * @param requestsPerSecond     0 for a closed loop (each connection sends its next request as soon as
 *                              the previous answer arrived: measures the maximum); otherwise the total
 *                              fixed rate of an open loop, spread evenly over the connections
 * @param requestsPerConnection 0 for no limit; otherwise each connection stops after this many
 *                              requests, so phases can send the same number of events (the
 *                              {@code duration} is then an upper bound)
 * @param successStatus         the status of an answer that took the events: 202 for TraceFlow's
 *                              endpoints, 200 for Sentry's
 */
public record LoadPhase(String name, String path, Duration duration, double requestsPerSecond,
                        long requestsPerConnection, int successStatus) {

    /** What TraceFlow's ingest endpoints answer once events are durable. */
    public static final int ACCEPTED = 202;

    public LoadPhase {
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException("phase " + name + " needs a positive duration");
        }
        if (requestsPerSecond < 0 || Double.isNaN(requestsPerSecond)) {
            throw new IllegalArgumentException("phase " + name + " needs a rate >= 0");
        }
        if (requestsPerConnection < 0) {
            throw new IllegalArgumentException("phase " + name + " needs a request limit >= 0");
        }
        if (successStatus < 200 || successStatus > 299) {
            throw new IllegalArgumentException("phase " + name + " needs a 2xx success status");
        }
    }

    /** A closed-loop phase: as fast as the server answers. */
    public static LoadPhase closedLoop(String name, String path, Duration duration) {
        return new LoadPhase(name, path, duration, 0, 0, ACCEPTED);
    }

    /** An open-loop phase at a fixed total rate, in requests per second. */
    public static LoadPhase fixedRate(String name, String path, Duration duration, double requestsPerSecond) {
        if (requestsPerSecond <= 0) {
            throw new IllegalArgumentException("a fixed-rate phase needs a rate > 0");
        }
        return new LoadPhase(name, path, duration, requestsPerSecond, 0, ACCEPTED);
    }

    /**
     * A closed-loop phase of a fixed amount of work: each connection sends {@code requestsPerConnection}
     * requests as fast as the server answers, or stops at {@code timeLimit} if that comes first.
     */
    public static LoadPhase fixedWork(String name, String path, Duration timeLimit, long requestsPerConnection,
                                      int successStatus) {
        if (requestsPerConnection <= 0) {
            throw new IllegalArgumentException("a fixed-work phase needs at least one request per connection");
        }
        return new LoadPhase(name, path, timeLimit, 0, requestsPerConnection, successStatus);
    }

    public boolean openLoop() {
        return requestsPerSecond > 0;
    }
}
