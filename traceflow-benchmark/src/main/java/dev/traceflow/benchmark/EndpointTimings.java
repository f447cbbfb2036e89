package dev.traceflow.benchmark;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One endpoint's timings in one pass over the variations (bare, warm-up or HTTP): the samples for
 * the percentiles, each variation's own time so a slow p95 can be traced to the request that made
 * it, and the requests that failed.
 *
 * @param samples     the times of the requests that answered
 * @param byVariation each variation's time in ms by its index, null where it failed
 * @param failures    the failed requests with what they answered
 * @param startedAt   each variation's start (epoch ms) by its index, where known (HTTP), so a slow
 *                    request can be lined up with the server's log of the same moment
 */
record EndpointTimings(LatencySamples samples, List<Double> byVariation, List<String> failures, List<Long> startedAt) {

    /** Empty timings for {@code variations} requests. */
    static EndpointTimings of(int variations) {
        return new EndpointTimings(new LatencySamples(), new ArrayList<>(Collections.nCopies(variations, null)), new ArrayList<>(),
                new ArrayList<>(Collections.nCopies(variations, null)));
    }

    void add(int index, double ms) {
        samples.add(ms);
        byVariation.set(index, ms);
    }

    void started(int index, long epochMillis) {
        startedAt.set(index, epochMillis);
    }

    void fail(String what) {
        failures.add(what);
    }

    /** The nearest-rank percentile, or null without samples. */
    Double percentile(double p) {
        return samples.count() == 0 ? null : samples.percentile(p);
    }
}
