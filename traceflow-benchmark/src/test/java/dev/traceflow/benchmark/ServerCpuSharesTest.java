package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerCpuSharesTest {

    private static final long MS = 1_000_000L;

    @Test
    void setsTheAnswersReadersAndTheStoresBackgroundThreadsApartFromIngest() {
        assertThat(ServerCpuShares.groupOfThread("duckdb-read-1")).isEqualTo("answers");
        assertThat(ServerCpuShares.groupOfThread("duckdb-session-")).isEqualTo("session refresh");
        assertThat(ServerCpuShares.groupOfThread("duckdb-compacti")).isEqualTo("compaction");
        assertThat(ServerCpuShares.groupOfThread("ForkJoinPool-1-")).isEqualTo("requests");
        assertThat(ServerCpuShares.groupOfThread("traceflow-stora")).isEqualTo("loader");
        assertThat(ServerCpuShares.groupOfThread("traceflow-journ")).isEqualTo("journal");
        assertThat(ServerCpuShares.groupOfThread("C2 CompilerThre")).isEqualTo("jit");
        assertThat(ServerCpuShares.groupOfThread("MVStore backgro")).isEqualTo(ProcessCpu.OTHER);
    }

    @Test
    void sharesOfTheServersCpuLargestFirstAndHowBusyItKeptTheCores() {
        Map<String, Long> groups = new LinkedHashMap<>();
        groups.put("requests", 400 * MS);
        groups.put("answers", 1_000 * MS);
        groups.put("loader", 200 * MS);
        groups.put("gc", 0L);
        groups.put(ProcessCpu.OTHER, 400 * MS);
        ProcessCpu.Snapshot used = new ProcessCpu.Snapshot(2_000 * MS, groups);

        ServerCpuShares shares = ServerCpuShares.of(used, 4.0).orElseThrow();

        assertThat(shares.coresBusy()).isEqualTo(0.5);
        assertThat(shares.percentByGroup()).containsExactly(Map.entry("answers", 50.0), Map.entry(ProcessCpu.OTHER, 20.0),
                Map.entry("requests", 20.0), Map.entry("loader", 10.0));
        assertThat(shares.describe()).isEqualTo("0.50 of a core: answers 50.0 %, other 20.0 %, requests 20.0 %, loader 10.0 %");
        assertThat(shares.toMap()).containsEntry("seconds", 4.0).containsEntry("coresBusy", 0.5);
    }

    @Test
    void nothingToShareWhenTheServerUsedNoCpuOrThePassTookNoTime() {
        ProcessCpu.Snapshot none = new ProcessCpu.Snapshot(0, Map.of("answers", 0L));
        ProcessCpu.Snapshot some = new ProcessCpu.Snapshot(10 * MS, Map.of("answers", 10 * MS));

        assertThat(ServerCpuShares.of(none, 1.0)).isEmpty();
        assertThat(ServerCpuShares.of(some, 0.0)).isEmpty();
    }
}
