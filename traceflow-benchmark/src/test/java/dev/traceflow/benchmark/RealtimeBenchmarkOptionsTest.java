package dev.traceflow.benchmark;

import dev.traceflow.benchmark.RealtimeBenchmarkOptions.Scenario;
import dev.traceflow.benchmark.RealtimeBenchmarkOptions.Variant;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RealtimeBenchmarkOptionsTest {

    @Test
    void options_haveTheDefaults_withTheIdleScenarioLast() throws Exception {
        RealtimeBenchmarkOptions options = RealtimeBenchmarkOptions.parse(new String[0]);
        assertThat(options.rounds()).isEqualTo(3);
        assertThat(options.scenarios().stream().map(Scenario::name)).containsExactly("100x1", "1000x10", "idle-2000");
        assertThat(options.variants()).containsExactly(Variant.TRACEFLOW, Variant.NODE, Variant.TRACEFLOW_WS, Variant.NODE_SEQ);
        assertThat(options.fixedFraction()).isEqualTo(0.5);
        // acks as the reference client (/realtime/client.js) sends them
        assertThat(options.ackEvery()).isEqualTo(20);
        assertThat(options.ackFlush()).isEqualTo(java.time.Duration.ofSeconds(1));
        // the hand-written Engine.IO client: socket.io-client's own CPU was the limit of every variant
        assertThat(options.client()).isEqualTo("raw");
        assertThat(RealtimeBenchmarkOptions.parse(new String[]{"--client", "socket.io-client"}).client()).isEqualTo("socket.io-client");
    }

    @Test
    void options_refuseBadScenarios_aMissingBaseline_andUnknownVariants() {
        for (String[] bad : List.of(new String[]{"--scenarios", "100"}, new String[]{"--scenarios", "10x20"},
                new String[]{"--scenarios", "0x0"}, new String[]{"--scenarios", "ax1"}, new String[]{"--variants", "traceflow"},
                new String[]{"--variants", "node,centrifugo"}, new String[]{"--fixed-fraction", "1.5"},
                new String[]{"--scenarios", "", "--idle-connections", "0"}, new String[]{"--client", "engine.io-client"})) {
            assertThatThrownBy(() -> RealtimeBenchmarkOptions.parse(bad)).isInstanceOf(BenchmarkOptions.UsageException.class);
        }
    }

    @Test
    void anIdleScenario_hasATopicPerHundredConnections() throws Exception {
        RealtimeBenchmarkOptions options = RealtimeBenchmarkOptions.parse(new String[]{"--scenarios", "", "--idle-connections", "10000"});
        assertThat(options.scenarios()).containsExactly(new Scenario(10_000, 100, true));
        assertThat(Scenario.idle(50)).isEqualTo(new Scenario(50, 1, true));
    }
}
