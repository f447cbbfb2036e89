package dev.traceflow.benchmark;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The outcome of one {@link LoadPhase}, merged over its connections; serialised as is into the JSON
 * report.
 *
 * @param name                     the phase's label
 * @param endpoint                 the path it targeted
 * @param loop                     {@code closed} or {@code open}
 * @param connections              concurrent connections
 * @param seconds                  wall time from the phase start until the last answer, in seconds
 * @param targetRequestsPerSecond  open loop: the scheduled rate; closed loop: 0
 * @param requests                 answered requests (any status)
 * @param acceptedEvents           sum of {@code accepted} over the success answers (202; Sentry's: 200)
 * @param rejectedEvents           sum of {@code rejected} over the success answers
 * @param eventsPerSecond          {@code acceptedEvents / seconds}
 * @param requestsPerSecond        {@code requests / seconds}
 * @param p50Ms                    median latency, milliseconds
 * @param p90Ms                    90th percentile latency, milliseconds
 * @param p99Ms                    99th percentile latency, milliseconds
 * @param p999Ms                   99.9th percentile latency, milliseconds
 * @param maxMs                    largest latency, milliseconds
 * @param statuses                 answers per HTTP status code
 * @param nonSuccess               answers whose status was not the phase's success status (202; Sentry's: 200)
 * @param overloaded               503 answers (the server shedding load)
 * @param ioErrors                 exchanges that got no answer (refused, reset, timeout)
 * @param unreadableAnswers        success answers without an {@code accepted} count
 * @param connectsMade             TCP connections opened (more than {@code connections} means reconnects)
 * @param firstError               the first failure seen, for diagnosis; null when none
 * @param slowBySecond             answers of at least 250 ms by the second (UTC, ISO-8601) their request was sent or
 *                                 due, in time order: where a p99 comes from one stall, its time, to line up with the
 *                                 server's log
 */
public record PhaseResult(
        String name, String endpoint, String loop, int connections, double seconds,
        double targetRequestsPerSecond, long requests, long acceptedEvents, long rejectedEvents,
        double eventsPerSecond, double requestsPerSecond,
        double p50Ms, double p90Ms, double p99Ms, double p999Ms, double maxMs,
        Map<Integer, Long> statuses, long nonSuccess, long overloaded, long ioErrors, long unreadableAnswers,
        long connectsMade, String firstError, Map<String, Long> slowBySecond) {

    /** Merges the connections' observations of {@code phase}, which ran for {@code elapsedNanos}. */
    static PhaseResult merge(LoadPhase phase, long elapsedNanos, List<ConnectionStats> perConnection,
                             long connectsMade) {
        LatencyHistogram latency = new LatencyHistogram();
        long[] statusCounts = new long[perConnection.isEmpty() ? 0 : perConnection.getFirst().statusCounts.length];
        long requests = 0;
        long accepted = 0;
        long rejected = 0;
        long ioErrors = 0;
        long unreadable = 0;
        String firstError = null;
        TreeMap<Long, Long> slow = new TreeMap<>();
        for (ConnectionStats stats : perConnection) {
            stats.slowBySecond.forEach((second, count) -> slow.merge(second, count, Long::sum));
            latency.add(stats.latency);
            for (int i = 0; i < statusCounts.length; i++) {
                statusCounts[i] += stats.statusCounts[i];
            }
            requests += stats.requests;
            accepted += stats.acceptedEvents;
            rejected += stats.rejectedEvents;
            ioErrors += stats.ioErrors;
            unreadable += stats.unreadableAnswers;
            if (firstError == null) {
                firstError = stats.firstError;
            }
        }
        Map<Integer, Long> statuses = new TreeMap<>();
        long nonSuccess = 0;
        for (int code = 0; code < statusCounts.length; code++) {
            if (statusCounts[code] > 0) {
                statuses.put(code, statusCounts[code]);
                if (code != phase.successStatus()) {
                    nonSuccess += statusCounts[code];
                }
            }
        }
        double seconds = elapsedNanos / 1e9;
        return new PhaseResult(
                phase.name(), phase.path(), phase.openLoop() ? "open" : "closed", perConnection.size(), seconds,
                phase.requestsPerSecond(), requests, accepted, rejected,
                seconds > 0 ? accepted / seconds : 0, seconds > 0 ? requests / seconds : 0,
                latency.millisAtPercentile(50), latency.millisAtPercentile(90), latency.millisAtPercentile(99),
                latency.millisAtPercentile(99.9), latency.maxMillis(),
                statuses, nonSuccess, statusCounts.length > 503 ? statusCounts[503] : 0, ioErrors, unreadable,
                connectsMade, firstError, isoSeconds(slow));
    }

    private static Map<String, Long> isoSeconds(TreeMap<Long, Long> bySecond) {
        Map<String, Long> out = new LinkedHashMap<>();
        bySecond.forEach((second, count) -> out.put(Instant.ofEpochSecond(second).toString(), count));
        return out;
    }

    /**
     * The seconds with the most slow answers, in time order, as {@code "14:52:41Z 120, ..."}; empty
     * when none was slow.
     */
    public String slowestSeconds(int most) {
        return slowBySecond.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(most)
                .sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey().substring(e.getKey().indexOf('T') + 1) + " " + e.getValue())
                .reduce((a, b) -> a + ", " + b).orElse("");
    }

    /** Requests that did not end in the success status: other statuses plus I/O failures. */
    public long failedRequests() {
        return nonSuccess + ioErrors;
    }
}
