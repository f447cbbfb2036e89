package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BenchmarkOptionsTest {

    @Test
    void defaultsMatchTheDocumentedRun() throws Exception {
        BenchmarkOptions options = BenchmarkOptions.parse(new String[0]);

        assertThat(options.connections()).isEqualTo(16);
        assertThat(options.batch()).isEqualTo(50);
        assertThat(options.templates()).isEqualTo(64);
        assertThat(options.warmup()).isEqualTo(Duration.ofSeconds(20));
        assertThat(options.duration()).isEqualTo(Duration.ofSeconds(20));
        assertThat(options.targetEps()).isEqualTo(100_000);
        assertThat(options.targetRatioPercent()).isEqualTo(50);
        assertThat(options.targetP99Millis()).isEqualTo(50);
        assertThat(options.out()).isEqualTo(Path.of("results.json"));
        assertThat(options.serverCpus()).isNull();
        assertThat(options.noServer()).isFalse();
        assertThat(options.readyTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(options.halfRate()).as("half the measured maximum").isZero();
    }

    @Test
    void aFixedHalfRate_isTakenAndANegativeOneRefused() throws Exception {
        assertThat(BenchmarkOptions.parse(new String[] {"--half-rate", "12000"}).halfRate()).isEqualTo(12_000);
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--half-rate", "-1"})).hasMessageContaining("--half-rate");
    }

    @Test
    void envelopeComparisonOptions_andTheirDefaults() throws Exception {
        BenchmarkOptions defaults = BenchmarkOptions.parse(new String[] {"--envelope"});
        BenchmarkOptions given = BenchmarkOptions.parse(new String[] {"--envelope", "--rounds", "5", "--envelope-events", "80000",
                "--target-envelope-ratio", "0.9", "--no-server", "--url", "http://127.0.0.1:1", "--key", "k", "--sentry-project", "4"});

        assertThat(defaults.envelope()).isTrue();
        assertThat(defaults.rounds()).isEqualTo(3);
        assertThat(defaults.envelopeEvents()).isEqualTo(50_000);
        assertThat(defaults.sentryProject()).isNull();
        assertThat(defaults.targetEnvelopeRatio()).isEqualTo(0.8);
        assertThat(BenchmarkOptions.parse(new String[0]).envelope()).isFalse();
        assertThat(given.rounds()).isEqualTo(5);
        assertThat(given.envelopeEvents()).isEqualTo(80_000);
        assertThat(given.targetEnvelopeRatio()).isEqualTo(0.9);
        assertThat(given.sentryProject()).isEqualTo(4L);
    }

    @Test
    void envelopeAgainstAnExternalServerNeedsItsSentryProject_andEnoughEventIdStreams() {
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--envelope", "--no-server", "--url", "http://127.0.0.1:1",
                "--key", "k"})).hasMessageContaining("--sentry-project");
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--envelope", "--sentry-project", "0"}))
                .hasMessageContaining("positive");
        // 5 + 4 x 100 phases of 16 connections need more id streams than a run has
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--envelope", "--rounds", "100"}))
                .hasMessageContaining("phases");
    }

    @Test
    void laterOccurrenceWinsSoScriptsCanPutDefaultsFirst() throws Exception {
        BenchmarkOptions options = BenchmarkOptions.parse(new String[] {
                "--out", "a.json", "--connections=4", "--out", "b.json", "--server-cpus", "0-1",
                "--server-jvm-args", "-Xmx2g  -XX:+UseParallelGC", "--keep-data"});

        assertThat(options.out()).isEqualTo(Path.of("b.json"));
        assertThat(options.connections()).isEqualTo(4);
        assertThat(options.serverCpus()).isEqualTo("0-1");
        assertThat(options.serverJvmArgs()).containsExactly("-Xmx2g", "-XX:+UseParallelGC");
        assertThat(options.keepData()).isTrue();
    }

    @Test
    void parsesDurationsWithUnits() throws Exception {
        assertThat(BenchmarkOptions.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(BenchmarkOptions.parseDuration("5s")).isEqualTo(Duration.ofSeconds(5));
        assertThat(BenchmarkOptions.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(BenchmarkOptions.parseDuration("1.5")).isEqualTo(Duration.ofMillis(1500));
        assertThatThrownBy(() -> BenchmarkOptions.parseDuration("soon")).isInstanceOf(BenchmarkOptions.UsageException.class);
    }

    @Test
    void externalServerNeedsUrlAndKey() throws Exception {
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--no-server", "--url", "http://127.0.0.1:8080"}))
                .hasMessageContaining("--key");
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--url", "http://127.0.0.1:8080", "--key", "k"}))
                .hasMessageContaining("--no-server");

        BenchmarkOptions options = BenchmarkOptions.parse(new String[] {"--no-server", "--url", "http://127.0.0.1:8080", "--key", "k"});
        assertThat(options.url().getPort()).isEqualTo(8080);
    }

    @Test
    void rejectsUnknownOptionsAndBadNumbers() {
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--conections", "4"})).hasMessageContaining("unknown option --conections");
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--batch", "0"})).hasMessageContaining("--batch");
        assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--duration"})).hasMessageContaining("missing value");
    }
}
