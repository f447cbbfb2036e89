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
        Map<String, LatencySamples> bare = new LinkedHashMap<>();
        Map<String, QueryBenchmark.HttpTimings> http = new LinkedHashMap<>();
        boolean first = true;
        for (ReadEndpoint endpoint : ReadEndpoints.all()) {
            LatencySamples b = new LatencySamples();
            b.add(1.234);
            b.add(5);
            bare.put(endpoint.name(), b);
            LatencySamples h = new LatencySamples();
            h.add(2);
            http.put(endpoint.name(), new QueryBenchmark.HttpTimings(h, first ? List.of("/x -> HTTP 500 boom") : List.of()));
            first = false;
        }
        Map<String, Object> memory = new LinkedHashMap<>();
        memory.put("afterStartRssBytes", 300_000_000L);

        report.load(load());
        report.ingest(Map.of());
        report.serverMemory(memory);
        long failures = report.endpoints(bare, http, 20);
        report.note("data dir kept: " + dir);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        report.write(new PrintStream(printed, true, StandardCharsets.UTF_8), file);

        assertThat(failures).isEqualTo(1);
        String json = Files.readString(file);
        assertThat(json).endsWith("}\n");
        JsonNode tree = JsonMapper.shared().readTree(json);
        assertThat(tree.propertyNames()).containsExactly("configuration", "load", "ingest", "serverMemory", "endpoints", "notes");
        assertThat(tree.path("configuration").path("events").asLong()).isEqualTo(1000);
        assertThat(tree.path("endpoints")).hasSize(ReadEndpoints.all().size());
        JsonNode row = tree.path("endpoints").get(0);
        assertThat(row.path("bareP50Ms").asDouble()).isEqualTo(1.23);
        assertThat(row.path("requests").asInt()).isEqualTo(2);
        assertThat(row.path("met").asBoolean()).isFalse();
        assertThat(tree.path("endpoints").get(1).path("met").asBoolean()).isTrue();
        assertThat(tree.path("notes")).hasSize(3);
        assertThat(tree.path("notes").get(2).asString()).startsWith("data dir kept: ");
        assertThat(printed.toString(StandardCharsets.UTF_8)).startsWith("Loaded 1,000 events")
                .contains("| 1 | **no** |", "300 MB after start");
    }
}
