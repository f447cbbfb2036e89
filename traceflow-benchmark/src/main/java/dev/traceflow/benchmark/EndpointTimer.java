package dev.traceflow.benchmark;

import dev.traceflow.core.storage.EventStorage;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The query benchmark's two ways of timing an endpoint's variations: the bare storage call, and over HTTP. */
final class EndpointTimer {

    private EndpointTimer() {
    }

    /**
     * Times each variation's storage call in this process, after one untimed call (the last
     * variation) that loads the statement's classes; prints p50 and p95.
     */
    static EndpointTimings timeBare(EventStorage storage, ReadEndpoint endpoint, List<QueryVariation> variations,
                                    KnownIds errors, PrintStream out) {
        endpoint.bare().run(storage, variations.getLast(), errors);
        EndpointTimings timings = EndpointTimings.of(variations.size());
        LatencySamples samples = timings.samples();
        for (QueryVariation v : variations) {
            long start = System.nanoTime();
            Object answer = endpoint.bare().run(storage, v, errors);
            timings.add(v.index(), (System.nanoTime() - start) / 1e6);
            if (answer == null) {
                throw new IllegalStateException("no answer");
            }
        }
        out.printf(Locale.ROOT, "  %-34s p50 %8s ms  p95 %8s ms%n", endpoint.name(),
                BenchmarkReport.millis(samples.percentile(50)), BenchmarkReport.millis(samples.percentile(95)));
        return timings;
    }

    /**
     * Times each variation's request over HTTP, after one untimed request; a non-200 answer or an I/O
     * error is a failure, listed with the request and the answer's start; prints p50, p95, failures.
     */
    static EndpointTimings timeHttp(ApiClient api, ReadEndpoint endpoint, List<QueryVariation> variations, KnownIds errors,
                                    PrintStream out) throws IOException, InterruptedException {
        api.get(endpoint.pathAndQuery(variations.getLast(), errors));
        EndpointTimings timings = EndpointTimings.of(variations.size());
        LatencySamples samples = timings.samples();
        List<String> failures = timings.failures();
        for (QueryVariation v : variations) {
            String request = endpoint.pathAndQuery(v, errors);
            ApiClient.Answer answer;
            timings.started(v.index(), System.currentTimeMillis());
            try {
                answer = api.get(request);
            } catch (IOException e) {
                timings.fail(request + " -> " + e);
                continue;
            }
            if (answer.status() == 200) {
                timings.add(v.index(), answer.millis());
            } else {
                timings.fail(request + " -> HTTP " + answer.status() + " " + abbreviate(answer.body()));
            }
        }
        out.printf(Locale.ROOT, "  %-34s p50 %8s ms  p95 %8s ms  failures %d%n", endpoint.name(),
                samples.count() == 0 ? "-" : BenchmarkReport.millis(samples.percentile(50)),
                samples.count() == 0 ? "-" : BenchmarkReport.millis(samples.percentile(95)), failures.size());
        failures.forEach(f -> out.println("    FAILED " + f));
        return timings;
    }

    private static String abbreviate(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }
}
