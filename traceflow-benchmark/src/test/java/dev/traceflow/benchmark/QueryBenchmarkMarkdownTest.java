package dev.traceflow.benchmark;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The query benchmark's summary says how long the compaction before the timings took, when there was one. */
class QueryBenchmarkMarkdownTest {

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

        String md = QueryBenchmark.markdown(List.of(), load, Map.of(), Map.of());

        assertThat(md).contains("Compacted 977,475 rows of closed days before the timings in 14.52 s (10.77 s of CPU).");
    }

    @Test
    void withoutACompaction_theSummarySaysNothingOfIt() {
        assertThat(QueryBenchmark.markdown(List.of(), load(), Map.of(), Map.of())).doesNotContain("Compacted");
    }
}
