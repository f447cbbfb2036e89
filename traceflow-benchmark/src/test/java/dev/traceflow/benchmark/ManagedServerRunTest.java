package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole run with a server process the benchmark starts itself: {@link FakeTraceFlowServer}
 * behind a manifest-only jar, so the real start, readiness wait, SIGTERM and DuckDB count are used.
 */
class ManagedServerRunTest {

    @TempDir
    Path dir;

    @Test
    void countsStoredEventsAfterSigtermAndPassesWhenNoneAreLost() throws Exception {
        Path out = dir.resolve("results.json");

        RunOutcome outcome = run(out, dir.resolve("data"));

        assertThat(outcome.exitCode()).as(outcome.console()).isEqualTo(IngestBenchmark.EXIT_OK);
        JsonNode json = JsonMapper.shared().readTree(out.toFile());
        long accepted = json.get("acceptedIngestEvents").asLong();
        assertThat(accepted).isPositive();
        assertThat(json.get("storedEvents").asLong()).isEqualTo(accepted);
        assertThat(json.get("serverStoppedCleanly").asBoolean()).isTrue();
        assertThat(json.get("checks").get(0).get("verdict").asString()).isEqualTo("PASS");
        assertThat(outcome.console()).contains("ready after", "| zero loss | stored == " + accepted);
        // the server is another process: its CPU is read from /proc and split by thread
        assertThat(outcome.console()).contains("| where | noop | ingest | ingest-half |", "| **server** |", "ingest / noop can be at most");
        assertThat(json.get("resources")).hasSize(3);
        assertThat(json.get("resources").get(1).get("serverMicrosTotal").asDouble()).isPositive();
        assertThat(json.get("resources").get(1).get("serverRssMiB").asLong()).isPositive();
        assertThat(outcome.console()).contains("| server peak resident memory so far, MiB |");
    }

    @Test
    void waitsForTheServerToStoreTheIngestPhaseAndCountsThatTimeInStoredThroughput() throws Exception {
        Path out = dir.resolve("results.json");

        RunOutcome outcome = run(out, dir.resolve("data"), "--server-jvm-args", "-Dfake.storeMillis=400");

        assertThat(outcome.exitCode()).as(outcome.console()).isEqualTo(IngestBenchmark.EXIT_OK);
        java.util.regex.Matcher drain = java.util.regex.Pattern.compile("stored all of them ([0-9.]+) s after the phase")
                .matcher(outcome.console());
        assertThat(drain.find()).as(outcome.console()).isTrue();
        assertThat(Double.parseDouble(drain.group(1))).isGreaterThanOrEqualTo(0.4);
        assertThat(outcome.console()).as("the half-load phase follows").contains("ingest-half: open loop")
                .doesNotContain("could not wait");
    }

    @Test
    void lostEventsFailTheRunWithExitCodeOneAndKeepTheDataDir() throws Exception {
        Path out = dir.resolve("results.json");
        Path dataDir = dir.resolve("data");

        RunOutcome outcome = run(out, dataDir, "--server-jvm-args", "-Dfake.lose=7");

        assertThat(outcome.exitCode()).as(outcome.console()).isEqualTo(IngestBenchmark.EXIT_EVENTS_LOST);
        JsonNode json = JsonMapper.shared().readTree(out.toFile());
        assertThat(json.get("storedEvents").asLong()).isEqualTo(json.get("acceptedIngestEvents").asLong() - 7);
        assertThat(json.get("runFailed").asBoolean()).isTrue();
        assertThat(outcome.console()).contains("(-7)", "**FAIL**", "data dir kept");
        assertThat(dataDir.resolve("events.duckdb")).exists();
    }

    private RunOutcome run(Path out, Path dataDir, String... extraArgs) throws Exception {
        String[] args = {
                "--server-jar", launcherJar().toString(), "--data-dir", dataDir.toString(), "--out", out.toString(),
                "--connections", "2", "--warmup", "200ms", "--duration", "300ms", "--templates", "4",
                "--ready-timeout", "60s"};
        String[] all = Arrays.copyOf(args, args.length + extraArgs.length);
        System.arraycopy(extraArgs, 0, all, args.length, extraArgs.length);
        BenchmarkOptions options = BenchmarkOptions.parse(all);
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        int exitCode = new IngestBenchmark(options, new PrintStream(console, true, StandardCharsets.UTF_8)).run();
        return new RunOutcome(exitCode, console.toString(StandardCharsets.UTF_8));
    }

    private record RunOutcome(int exitCode, String console) {
    }

    /** A jar holding only a manifest: the fake server's main class and this test's class path. */
    private Path launcherJar() throws IOException {
        String classPath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toUri().toString())
                .collect(Collectors.joining(" "));
        Manifest manifest = new Manifest();
        Attributes attributes = manifest.getMainAttributes();
        attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.put(Attributes.Name.MAIN_CLASS, FakeTraceFlowServer.class.getName());
        attributes.put(Attributes.Name.CLASS_PATH, classPath);
        Path jar = dir.resolve("fake-server.jar");
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(file, manifest)) {
            // the manifest is the whole content
        }
        return jar;
    }
}
