package dev.traceflow.benchmark;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The server's own account of where a log append's time went ({@code traceflow.builds.log.append.phase}
 * by phase, and the whole request as {@code http.server.requests} saw it), read from
 * {@code /actuator/prometheus} before and after the writing: the mean milliseconds per append of each.
 * A server without the phase meter (an older jar) shows only the request.
 */
final class ServerAppendPhases {

    static final List<String> PHASES = List.of("mask", "insert", "write_out", "tell");
    private static final String PHASE_METRIC = "traceflow_builds_log_append_phase_seconds";
    private static final String REQUESTS_METRIC = "http_server_requests_seconds";
    private static final String LOGS_ROUTE = "uri=\"/api/workers/builds/{id}/logs\"";

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI prometheus;
    private final String token;

    ServerAppendPhases(String base, String metricsToken) {
        this.prometheus = URI.create(base + "/actuator/prometheus");
        this.token = metricsToken;
    }

    String scrape() throws IOException, InterruptedException {
        var response = client.send(HttpRequest.newBuilder(prometheus).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).GET().build(), BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + prometheus + " answered HTTP " + response.statusCode());
        }
        return response.body();
    }

    /** Mean ms per append between two scrapes: each phase (absent ones left out) and {@code request}, the whole request. */
    static Map<String, Double> meanMillis(String before, String after) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String phase : PHASES) {
            String label = "phase=\"" + phase + "\"";
            double count = sum(after, PHASE_METRIC + "_count", label) - sum(before, PHASE_METRIC + "_count", label);
            if (count > 0) {
                out.put(phase, round(1000 * (sum(after, PHASE_METRIC + "_sum", label) - sum(before, PHASE_METRIC + "_sum", label)) / count));
            }
        }
        double requests = sum(after, REQUESTS_METRIC + "_count", LOGS_ROUTE) - sum(before, REQUESTS_METRIC + "_count", LOGS_ROUTE);
        if (requests > 0) {
            out.put("request", round(1000 * (sum(after, REQUESTS_METRIC + "_sum", LOGS_ROUTE)
                    - sum(before, REQUESTS_METRIC + "_sum", LOGS_ROUTE)) / requests));
        }
        return out;
    }

    /** The sum of the samples of {@code name} whose labels contain {@code label} (e.g. {@code phase="tell"}). */
    static double sum(String exposition, String name, String label) {
        double total = 0;
        for (String line : exposition.split("\n")) {
            if (line.startsWith(name + "{") && line.contains(label)) {
                int space = line.lastIndexOf('}');
                String[] value = line.substring(space + 1).trim().split(" ");
                double v = Double.parseDouble(value[0]);
                if (!Double.isNaN(v)) {
                    total += v;
                }
            }
        }
        return total;
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
