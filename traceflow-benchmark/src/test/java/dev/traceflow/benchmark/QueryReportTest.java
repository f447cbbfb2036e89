package dev.traceflow.benchmark;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The query benchmark's results ({@link QueryReport}): the file holds configuration, load, ingest,
 * server memory, the endpoints' rows and the notes in that order (the notes with the ones added
 * last); the printed summary is the Markdown of the same figures, and says how long the compaction
 * before the timings took, when there was one; failed requests are counted.
 */
class QueryReportTest {

    private static Map<String, Object> load() {
        Map<String, Object> load = new LinkedHashMap<>();
        load.put("events", 1_000L);
        load.put("eventsPerSecond", 500L);
        load.put("storeOnlyEventsPerSecond", 600L);
        load.put("firstEvent", "2026-11-05T00:00:00Z");
        load.put("lastEvent", "2026-12-05T00:00:00Z");
        load.put("fileBytes", 2_000_000L);
        return load;
    }

    @Test
    void theSummary_namesTheCompactionsRowsTimeAndCpu() {
        Map<String, Object> load = load();
        load.put("compaction", Map.of("rows", 977_475L, "seconds", 14.52, "cpuSeconds", 10.77));

        String md = QueryReport.markdown(List.of(), load, Map.of(), Map.of());

        assertThat(md).contains("Compacted 977,475 rows of closed days before the timings in 14.52 s (10.77 s of CPU).");
    }

    @Test
    void withoutACompaction_theSummarySaysNothingOfIt() {
        assertThat(QueryReport.markdown(List.of(), load(), Map.of(), Map.of())).doesNotContain("Compacted");
    }

    @Test
    void theResults_holdEverySectionInOrder_andTheSummaryIsTheirMarkdown(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("out/query-results.json");
        QueryBenchmarkOptions options = QueryBenchmarkOptions.parse(new String[] {"--events", "1000"});
        QueryReport report = new QueryReport(options, Instant.parse("2026-12-05T00:00:00Z"), List.of("a", "b"), dir);
        List<QueryVariation> variations = QueryVariations.of(2, List.of("a", "b"), Instant.parse("2026-12-05T00:00:00Z"));
        Map<String, EndpointTimings> bare = new LinkedHashMap<>();
        Map<String, EndpointTimings> warmup = new LinkedHashMap<>();
        Map<String, EndpointTimings> http = new LinkedHashMap<>();
        Map<String, EndpointTimings> quiet = new LinkedHashMap<>();
        boolean first = true;
        for (ReadEndpoint endpoint : ReadEndpoints.all()) {
            EndpointTimings b = EndpointTimings.of(2);
            b.add(0, 1.234);
            b.add(1, 5);
            bare.put(endpoint.name(), b);
            EndpointTimings w = EndpointTimings.of(2);
            w.add(0, 40);
            w.add(1, 90);
            warmup.put(endpoint.name(), w);
            EndpointTimings h = EndpointTimings.of(2);
            h.started(1, 1_765_000_000_000L);
            h.add(1, 2);
            if (first) {
                h.fail("/x -> HTTP 500 boom");
            }
            http.put(endpoint.name(), h);
            EndpointTimings q = EndpointTimings.of(2);
            q.add(0, 7);
            q.add(1, 3);
            quiet.put(endpoint.name(), q);
            first = false;
        }
        Map<String, Object> memory = new LinkedHashMap<>();
        memory.put("afterStartRssBytes", 300_000_000L);

        report.load(load());
        report.ingest(Map.of());
        report.serverMemory(memory);
        report.serverGc(Map.of("collector", "Serial", "http", new GcLog.Pauses(3, 160, 120, 1).toMap(20)));
        report.serverCpu(Map.of("http", new ServerCpuShares(17.6, 0.97, Map.of("answers", 50.6))));
        report.loadOverlap(Map.of("loads", 7, "answersThatMetALoad", 4, "otherAnswers", 16, "metALoadMedianOverQuiet", 2.5,
                "othersMedianOverQuiet", 1.4, "endpointsWhoseP95AnswerMetALoad", 9, "endpoints", 15));
        long failures = report.endpoints(variations, bare, warmup, http, quiet, 20);
        report.note("data dir kept: " + dir);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        report.write(new PrintStream(printed, true, StandardCharsets.UTF_8), file);

        assertThat(failures).isEqualTo(1);
        String json = Files.readString(file);
        assertThat(json).endsWith("}\n");
        JsonNode tree = JsonMapper.shared().readTree(json);
        assertThat(tree.propertyNames()).containsExactly("configuration", "load", "ingest", "serverMemory", "serverGc", "serverCpu",
                "loadOverlap", "endpoints", "notes");
        assertThat(tree.path("serverCpu").path("http").path("percentByGroup").path("answers").asDouble()).isEqualTo(50.6);
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("Server CPU during the timed requests (17.6 s): 0.97 of a core: answers 50.6 %.");
        assertThat(tree.path("loadOverlap").path("endpointsWhoseP95AnswerMetALoad").asInt()).isEqualTo(9);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("Timed answers that met a load of the storage loader (7 loads; "
                + "at least 20 % of the answer's time): 4, median 2.5 times the same request's quiet time; the 16 others 1.4 times. "
                + "The answer at the p95 rank met one at 9 of 15 endpoints.");
        assertThat(tree.path("serverGc").path("http").path("maxMs").asDouble()).isEqualTo(120);
        assertThat(tree.path("configuration").path("events").asLong()).isEqualTo(1000);
        assertThat(tree.path("endpoints")).hasSize(ReadEndpoints.all().size());
        JsonNode row = tree.path("endpoints").get(0);
        assertThat(row.path("bareP50Ms").asDouble()).isEqualTo(1.23);
        assertThat(row.path("requests").asInt()).isEqualTo(2);
        assertThat(row.path("met").asBoolean()).isFalse();
        assertThat(row.path("warmupP95Ms").asDouble()).isEqualTo(90);
        assertThat(row.path("quietP95Ms").asDouble()).isEqualTo(7);
        assertThat(row.path("variations").get(1).path("quietMs").asDouble()).isEqualTo(3);
        // each variation's own times: the failed one has no HTTP time, the answered one has
        JsonNode failed = row.path("variations").get(0);
        assertThat(failed.path("index").asInt()).isZero();
        assertThat(failed.path("app").asString()).isEqualTo("a");
        assertThat(failed.path("bareMs").asDouble()).isEqualTo(1.23);
        assertThat(failed.path("httpMs").isNull()).isTrue();
        JsonNode answered = row.path("variations").get(1);
        assertThat(answered.path("breakdown").asBoolean()).isTrue();
        assertThat(answered.path("filters").path("browser").asString()).isEqualTo("Chrome");
        assertThat(answered.path("httpMs").asDouble()).isEqualTo(2);
        assertThat(answered.path("httpStartedAtMs").asLong()).as("to line up with the server's log").isEqualTo(1_765_000_000_000L);
        assertThat(failed.path("httpStartedAtMs").isNull()).isTrue();
        JsonNode series = tree.path("endpoints").get(4); // /api/errors/{id} takes granularity and tz
        assertThat(series.path("variations").get(1).path("granularity").asString()).isEqualTo("day");
        assertThat(series.path("variations").get(1).path("zone").asString()).isEqualTo("Z");
        assertThat(row.path("variations").get(1).path("zone").isNull()).isTrue();
        assertThat(tree.path("endpoints").get(1).path("met").asBoolean()).isTrue();
        assertThat(tree.path("notes")).hasSize(5);
        assertThat(tree.path("notes").get(4).asString()).startsWith("data dir kept: ");
        assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith("Loaded 1,000 events")
                .contains("| 1.23 | 5.00 | 40.0 | 90.0 |", "| 1 | **no** | 3.00 | 7.00 |", "300 MB after start",
                        "Server GC (Serial) during the timed requests: 3 pauses, 160.0 ms in all (0.8 % of 20.0 s), longest 120.0 ms, 1 of 50 ms or more.");
    }
}
