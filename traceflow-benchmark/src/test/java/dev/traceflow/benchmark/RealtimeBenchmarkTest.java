package dev.traceflow.benchmark;

import dev.traceflow.benchmark.RealtimeBenchmarkOptions.Scenario;
import dev.traceflow.benchmark.RealtimeBenchmarkOptions.Variant;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RealtimeBenchmarkTest {

    @Test
    void rounds_alternateTheVariantsOrder() {
        List<Variant> given = List.of(Variant.TRACEFLOW, Variant.NODE, Variant.NODE_SEQ);
        assertThat(RealtimeBenchmark.order(given, 1)).containsExactly(Variant.TRACEFLOW, Variant.NODE, Variant.NODE_SEQ);
        assertThat(RealtimeBenchmark.order(given, 2)).containsExactly(Variant.NODE_SEQ, Variant.NODE, Variant.TRACEFLOW);
        assertThat(RealtimeBenchmark.order(given, 3)).isEqualTo(given);
    }

    @Test
    void theHeap_isTheSumOfTheHeapPools_notTheOthers() {
        String scrape = """
                # HELP jvm_memory_used_bytes The amount of used memory
                # TYPE jvm_memory_used_bytes gauge
                jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1000.0
                jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2.5E3
                jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 99999.0
                jvm_memory_used_bytes_other{area="heap"} 7.0
                """;
        assertThat(RealtimeBenchmark.heapUsed(scrape)).isEqualTo(3500.0);
        assertThat(RealtimeBenchmark.heapUsed("process_cpu_usage 0.5\n")).isNaN();
    }

    @Test
    void aMeasurement_takesTheLoadGeneratorsFigures_andAddsBothPhasesLoss() {
        var result = JsonMapper.shared().readTree("""
                {"stage":"result","subscribers":100,"topics":1,
                 "max":{"deliveriesPerSecond":50000.5,"p50Ms":3.2,"p99Ms":20.1,"lost":2,"publishErrors":1,"serverCpu":0.98,"clientCpu":0.61},
                 "fixed":{"publishRate":250,"p50Ms":1.1,"p99Ms":9.9,"lost":3,"publishErrors":0},
                 "duplicates":4,"unexpectedDisconnects":5,"heapBytesPerConnection":12000,"rssBytesPerConnection":30000}""");
        RealtimeMeasurement m = RealtimeBenchmark.measurement(2, new Scenario(100, 1, false), Variant.NODE_SEQ, result);
        assertThat(m).isEqualTo(new RealtimeMeasurement(2, "100x1", "node-seq", 50000.5, 3.2, 20.1, 250, 1.1, 9.9, 5, 4, 6, 12000, 30000, 0.98, 0.61));

        var idle = JsonMapper.shared().readTree("""
                {"stage":"result","subscribers":10,"topics":1,"duplicates":0,"unexpectedDisconnects":0,"heapBytesPerConnection":900}""");
        RealtimeMeasurement i = RealtimeBenchmark.measurement(1, Scenario.idle(10), Variant.TRACEFLOW, idle);
        assertThat(i.scenario()).isEqualTo("idle-10");
        assertThat(i.deliveriesPerSecond()).isNaN();
        assertThat(i.fixedP99Ms()).isNaN();
        assertThat(i.rssBytesPerConnection()).isNaN();
        assertThat(i.heapBytesPerConnection()).isEqualTo(900);
    }
}
