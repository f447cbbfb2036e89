package dev.traceflow.benchmark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LoadOverlapTest {

    private static final long T = Instant.parse("2026-12-07T00:30:00Z").toEpochMilli();

    private static String line(String at, String level, String logger, String message) {
        return "{\"@timestamp\":\"" + at + "\",\"log\":{\"level\":\"" + level + "\",\"logger\":\"" + logger + "\"},\"message\":\""
                + message + "\"}";
    }

    @Test
    void theServerLogsLoads_atDebugAndWhenSlow_andNothingElseCountsAsOne(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("server.log");
        Files.write(log, List.of(
                "not json at all: stored 5 events in duckdb in 3 ms",
                line("2026-12-07T00:30:00.325Z", "DEBUG", "dev.traceflow.storage.internal.StoreLoader", "stored 30720 events in duckdb in 325 ms"),
                line("2026-12-07T00:30:01.000Z", "INFO", "dev.traceflow.Other", "the events in the journal: 7"),
                line("2026-12-07T00:30:05.000Z", "WARN", "dev.traceflow.storage.internal.StoreLoader", "storing 61440 events in duckdb took 1200 ms"),
                "{\"@timestamp\":\"2026-12-07T00:30:06Z\",\"message\":\"stored 1 events in duckdb in"));

        assertThat(LoadOverlap.loads(log)).containsExactly(new LoadOverlap.Load(T, T + 325, 30720),
                new LoadOverlap.Load(T + 3800, T + 5000, 61440));
        assertThat(LoadOverlap.loads(dir.resolve("missing.log"))).isEmpty();
    }

    private static EndpointTimings timings(double[][] requests, int column) {
        EndpointTimings t = EndpointTimings.of(requests.length);
        for (int i = 0; i < requests.length; i++) {
            if (column == 1) {
                t.started(i, (long) requests[i][0]);
            }
            t.add(i, requests[i][column]);
        }
        return t;
    }

    @Test
    void answersThatMetALoad_areComparedWithTheirQuietTimes_apartFromTheOthers() {
        List<LoadOverlap.Load> loads = List.of(new LoadOverlap.Load(T, T + 300, 30720));
        // {start, HTTP ms, quiet ms} -- 0: inside the load, three times its quiet time; 1: touches it for 5 of
        // 100 ms (under a fifth: not met); 2 and 3: after it, 1.5 and 2.5 times
        double[][] requests = {{T + 100, 90, 30}, {T + 295, 100, 50}, {T + 1000, 30, 20}, {T + 2000, 50, 20}};
        Map<String, EndpointTimings> quiet = Map.of("/api/a", timings(requests, 2));

        Map<String, Object> overlap = LoadOverlap.of(loads, Map.of("/api/a", timings(requests, 1)), quiet);
        assertThat(overlap).containsEntry("loads", 1).containsEntry("answersThatMetALoad", 1).containsEntry("otherAnswers", 3)
                .containsEntry("metALoadMedianOverQuiet", 3.0).containsEntry("othersMedianOverQuiet", 2.0)
                .containsEntry("endpoints", 1);
        // the p95 of four (nearest rank) is the slowest, request 1, which did not meet the load
        assertThat(overlap).containsEntry("endpointsWhoseP95AnswerMetALoad", 0);

        requests[1][1] = 80; // now request 0 (90 ms), inside the load, is the slowest
        assertThat(LoadOverlap.of(loads, Map.of("/api/a", timings(requests, 1)), quiet))
                .containsEntry("endpointsWhoseP95AnswerMetALoad", 1);
    }
}
