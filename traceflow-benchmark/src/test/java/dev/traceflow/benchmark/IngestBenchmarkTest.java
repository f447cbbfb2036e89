package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class IngestBenchmarkTest {

    @TempDir
    Path dir;
    private final StubIngestServer stub = new StubIngestServer();

    IngestBenchmarkTest() throws IOException {
    }

    @AfterEach
    void stopStub() {
        stub.close();
    }

    @Test
    void runsAllPhasesAgainstAnExternalServerAndWritesMarkdownAndJson() throws Exception {
        Path out = dir.resolve("results.json");
        BenchmarkOptions options = shortPhasesAgainstTheStub(out);
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        int exitCode = new IngestBenchmark(options, new PrintStream(console, true, StandardCharsets.UTF_8)).run();

        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(exitCode).isEqualTo(IngestBenchmark.EXIT_OK);
        assertThat(printed).contains("| noop |", "| ingest |", "| ingest-half |", "ingest / noop", "skipped (--no-server)");
        JsonNode json = JsonMapper.shared().readTree(out.toFile());
        assertThat(json.get("phases")).hasSize(3);
        assertThat(json.get("warmup").get("acceptedEvents").asLong()).isPositive();
        assertThat(json.get("acceptedIngestEvents").asLong()).isEqualTo(stub.ingestedEventIds.size());
        assertThat(json.get("checks").get(0).get("verdict").asString()).isEqualTo("SKIPPED");
        assertThat(json.get("checks").get(1).get("verdict").asString()).isEqualTo("PASS");
        assertThat(json.get("phases").get(2).get("loop").asString()).isEqualTo("open");
        assertThat(json.get("ratioPercent").asDouble()).isPositive();
        // a server we did not start is not ours to read: only the load generator's own CPU is shown
        assertThat(printed).contains("| load generator |").doesNotContain("| **server** |", "can be at most", "resident memory");
    }

    @Test
    void aFixedHalfRate_setsTheIngestHalfPhasesRate() throws Exception {
        Path out = dir.resolve("fixed.json");
        BenchmarkOptions options = shortPhasesAgainstTheStub(out, "--warmup", "0s", "--half-rate", "1000");
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        int exitCode = new IngestBenchmark(options, new PrintStream(console, true, StandardCharsets.UTF_8)).run();

        assertThat(exitCode).isEqualTo(IngestBenchmark.EXIT_OK);
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("p99 at 1,000 events/s").doesNotContain("p99 at half load");
        JsonNode half = JsonMapper.shared().readTree(out.toFile()).get("phases").get(2);
        assertThat(half.get("name").asString()).isEqualTo("ingest-half");
        assertThat(half.get("targetRequestsPerSecond").asDouble()).as("1,000 events/s in requests of 50").isEqualTo(20.0);
    }

    /** The noop, ingest and ingest-half phases, short, against the stub; {@code more} options win over these. */
    private BenchmarkOptions shortPhasesAgainstTheStub(Path out, String... more) throws BenchmarkOptions.UsageException {
        List<String> args = new ArrayList<>(List.of("--no-server", "--url", stub.url(), "--key", StubIngestServer.KEY,
                "--connections", "2", "--warmup", "200ms", "--duration", "400ms", "--templates", "4",
                "--target-eps", "1", "--out", out.toString()));
        args.addAll(List.of(more));
        return BenchmarkOptions.parse(args.toArray(String[]::new));
    }

    @Test
    void theEnvelopeComparisonRunsInsteadOfTheStandardPhases_andReportsRatiosAndTheTarget() throws Exception {
        Path out = dir.resolve("envelope.json");
        BenchmarkOptions options = BenchmarkOptions.parse(new String[] {
                "--no-server", "--url", stub.url(), "--key", StubIngestServer.KEY, "--envelope",
                "--sentry-project", Long.toString(StubIngestServer.SENTRY_PROJECT), "--rounds", "2", "--envelope-events", "400",
                "--connections", "2", "--batch", "10", "--warmup", "200ms", "--templates", "4", "--out", out.toString()});
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        int exitCode = new IngestBenchmark(options, new PrintStream(console, true, StandardCharsets.UTF_8)).run();

        String printed = console.toString(StandardCharsets.UTF_8);
        assertThat(exitCode).isEqualTo(IngestBenchmark.EXIT_OK);
        assertThat(printed).contains("| envelope r1 |", "| collect-batch r2 |", "| envelope / collect-batch |",
                "| envelope / collect-single |", "| envelope-batch / collect-batch |", "| envelope-batch / collect-batch-errors |",
                        "envelope-batch / collect-batch-errors (the same events, median)", "envelope / collect-batch (median)")
                .doesNotContain("| noop |", "ingest / noop");
        JsonNode json = JsonMapper.shared().readTree(out.toFile());
        // a warmup per variant, 5 variants x 2 rounds (the ingest warmup is reported apart)
        assertThat(json.get("phases")).hasSize(5 + 10);
        assertThat(json.get("envelope").get("eventsPerPhase").asLong()).isEqualTo(400);
        assertThat(json.get("envelope").get("ratios")).hasSize(4);
        // every storing endpoint counts toward the loss check: batches, single events and Sentry's events
        long sentryEvents = stub.sentryEventItems.get();
        assertThat(json.get("acceptedIngestEvents").asLong()).isEqualTo(stub.ingestedEventIds.size() + sentryEvents);
        assertThat(json.get("checks")).hasSize(3);
        // judged on the same errors in both formats; the literal ratio (unequal work) is shown, not judged
        assertThat(json.get("checks").get(1).get("name").asString()).isEqualTo("envelope-batch / collect-batch-errors (the same events, median)");
        assertThat(json.get("checks").get(1).get("verdict").asString()).isIn("PASS", "FAIL");
        assertThat(json.get("checks").get(2).get("name").asString()).isEqualTo("envelope / collect-batch (median)");
        assertThat(json.get("checks").get(2).get("verdict").asString()).isEqualTo("SKIPPED");
    }

    @Test
    void aServerThatCannotStartEndsTheRunWithExitCodeTwo() throws Exception {
        BenchmarkOptions options = BenchmarkOptions.parse(new String[] {
                "--server-jar", dir.resolve("missing.jar").toString(), "--out", dir.resolve("r.json").toString(),
                "--data-dir", dir.resolve("data").toString()});
        ByteArrayOutputStream console = new ByteArrayOutputStream();

        int exitCode = new IngestBenchmark(options, new PrintStream(console, true, StandardCharsets.UTF_8)).run();

        assertThat(exitCode).isEqualTo(IngestBenchmark.EXIT_NO_SERVER);
        assertThat(console.toString(StandardCharsets.UTF_8)).contains("server jar not found");
    }
}
