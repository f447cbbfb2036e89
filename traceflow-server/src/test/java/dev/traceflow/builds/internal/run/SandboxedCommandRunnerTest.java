package dev.traceflow.builds.internal.run;

import dev.traceflow.builds.internal.run.CommandRunner.CommandSpec;
import dev.traceflow.builds.internal.run.CommandRunner.Ending;
import dev.traceflow.builds.internal.run.CommandRunner.Outcome;
import dev.traceflow.support.Requirements;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Real processes in a real bubblewrap sandbox: what a build command can and cannot do. */
class SandboxedCommandRunnerTest {

    private static final Duration GRACE = Duration.ofSeconds(1);

    @TempDir
    Path root;
    Path checkout;
    Path outside;
    SandboxedCommandRunner runner;
    List<String> lines = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() throws IOException {
        Requirements.require(Files.isExecutable(Path.of("/usr/bin/bwrap")), "bubblewrap at /usr/bin/bwrap (apt-get install bubblewrap)");
        // the sandbox user walks to the checkout (SandboxedCommandRunner#checkReachable); JUnit makes its directory 0700
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx--x--x"));
        checkout = Files.createDirectory(root.resolve("checkout"));
        outside = Files.createDirectory(root.resolve("outside"));
        runner = new SandboxedCommandRunner(settings(SandboxProperties.Mode.BWRAP), new SimpleMeterRegistry());
    }

    private static SandboxProperties settings(SandboxProperties.Mode mode) {
        return new SandboxProperties(mode, Path.of("/usr/bin/bwrap"), 65534, 65534, GRACE, DataSize.ofMegabytes(8),
                DataSize.ofKilobytes(16), List.of());
    }

    private CommandSpec spec(boolean network, Duration timeout, long maxOutput, String... argv) {
        return new CommandSpec(List.of(argv), checkout, Map.of("PATH", "/usr/bin:/bin", "ONLY", "given"), network, timeout, maxOutput, 64);
    }

    private Outcome run(String... argv) throws Exception {
        return runner.start(spec(false, Duration.ofSeconds(30), 1_000_000, argv), (stream, line) -> lines.add(stream + ":" + line)).await();
    }

    @Test
    void exitCodeAndOutputLinesArePassedOn_perStream() throws Exception {
        Outcome outcome = run("sh", "-c", "echo one; echo two >&2; printf 'no newline'; exit 3");
        assertThat(outcome).isEqualTo(new Outcome(3, Ending.EXITED));
        assertThat(lines).contains("stdout:one", "stderr:two", "stdout:no newline");
    }

    @Test
    void argumentsAreNeverInterpretedByAShell() throws Exception {
        Outcome outcome = run("echo", "$(id)", "; touch pwned", "`x`");
        assertThat(outcome.exitCode()).isZero();
        assertThat(lines).containsExactly("stdout:$(id) ; touch pwned `x`");
        assertThat(checkout.resolve("pwned")).doesNotExist();
    }

    @Test
    void theEnvironmentIsOnlyWhatTheSpecGives() throws Exception {
        run("env");
        // bubblewrap adds PWD, the working directory, as a shell would
        assertThat(lines).containsExactlyInAnyOrder("stdout:PATH=/usr/bin:/bin", "stdout:ONLY=given", "stdout:PWD=" + checkout);
    }

    @Test
    void runsAsAnUnprivilegedUser() throws Exception {
        run("sh", "-c", "id -u; grep CapEff /proc/self/status");
        assertThat(lines.getFirst()).isNotEqualTo("stdout:0");
        assertThat(lines).contains("stdout:CapEff:\t0000000000000000");
    }

    @Test
    void theCheckoutIsWritable_butNothingOutsideIt() throws Exception {
        Outcome outcome = run("sh", "-c", "echo built > dist.txt; mkdir -p sub && echo x > sub/y; echo tmp > /tmp/t && cat /tmp/t; "
                + "for f in " + outside.resolve("escaped") + " /usr/escaped /escaped /etc/escaped /root/escaped; do "
                + "(echo x > $f) 2>/dev/null && echo WROTE $f; done; true");
        assertThat(outcome.exitCode()).isZero();
        assertThat(checkout.resolve("dist.txt")).hasContent("built");
        assertThat(checkout.resolve("sub/y")).hasContent("x");
        assertThat(lines).contains("stdout:tmp").noneMatch(l -> l.contains("WROTE"));
        assertThat(outside.resolve("escaped")).doesNotExist();
        assertThat(Path.of("/usr/escaped")).doesNotExist();
        assertThat(Path.of("/escaped")).doesNotExist();
    }

    @Test
    void aReadOnlyDirectory_isReadAtItsOwnPath_butNeitherWrittenNorAnyOtherSiblingSeen() throws Exception {
        Path dependency = Files.createDirectory(root.resolve("dependency"));
        Files.writeString(dependency.resolve("lib.txt"), "lib output\n");
        Outcome outcome = runner.start(new CommandSpec(List.of("sh", "-c", "cat ../dependency/lib.txt; ls ..; "
                        + "(echo x > ../dependency/planted) 2>/dev/null && echo WROTE; (rm ../dependency/lib.txt) 2>/dev/null && echo REMOVED; "
                        + "cp ../dependency/lib.txt copied.txt"), checkout, Map.of("PATH", "/usr/bin:/bin"), false, Duration.ofSeconds(30),
                1_000_000, 64, List.of(dependency)), (stream, line) -> lines.add(stream + ":" + line)).await();
        assertThat(outcome.exitCode()).isZero();
        assertThat(lines).contains("stdout:lib output", "stdout:checkout", "stdout:dependency")
                .noneMatch(l -> l.contains("WROTE") || l.contains("REMOVED") || l.contains("outside"));
        assertThat(checkout.resolve("copied.txt")).hasContent("lib output\n");
        assertThat(dependency.resolve("planted")).doesNotExist();
        assertThat(dependency.resolve("lib.txt")).hasContent("lib output\n");
    }

    @Test
    void aSymlinkOutOfTheCheckoutLeadsNowhere() throws Exception {
        Path secret = Files.writeString(outside.resolve("secret.txt"), "s3cr3t");
        Files.createSymbolicLink(checkout.resolve("escape"), secret);
        Files.createSymbolicLink(checkout.resolve("up"), Path.of("../outside"));
        Outcome outcome = run("sh", "-c", "cat escape; cat up/secret.txt; echo changed > escape; echo new > up/planted; true");
        assertThat(outcome.exitCode()).isZero();
        assertThat(lines).noneMatch(l -> l.contains("s3cr3t"));
        assertThat(secret).hasContent("s3cr3t");
        assertThat(outside.resolve("planted")).doesNotExist();
    }

    @Test
    void cannotReachALoopbackListener_unlessNetworkIsAllowed() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            listener.setSoTimeout(300);
            String[] connect = {"bash", "-c", "echo hello > /dev/tcp/127.0.0.1/" + listener.getLocalPort() + " && echo CONNECTED"};
            Outcome denied = runner.start(spec(false, Duration.ofSeconds(30), 10_000, connect), (s, l) -> lines.add(l)).await();
            assertThat(denied.exitCode()).isNotZero();
            assertThat(lines).doesNotContain("CONNECTED");
            assertThat(accepts(listener)).isFalse();

            // the same command with network: proves the test would see a connection
            Outcome allowed = runner.start(spec(true, Duration.ofSeconds(30), 10_000, connect), (s, l) -> lines.add(l)).await();
            assertThat(allowed.exitCode()).isZero();
            assertThat(lines).contains("CONNECTED");
            assertThat(accepts(listener)).isTrue();
        }
    }

    private static boolean accepts(ServerSocket listener) throws IOException {
        try (var ignored = listener.accept()) {
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    @Test
    void cancel_endsTheWholeTree_evenABackgroundProcessThatIgnoresSigterm_withinGracePlusOneSecond() throws Exception {
        String marker = "4242.4242";
        CommandRunner.RunningCommand running = runner.start(spec(false, Duration.ofSeconds(60), 10_000,
                        "sh", "-c", "trap '' TERM; (trap '' TERM; exec sleep " + marker + ") & setsid sleep " + marker + " & echo started; wait"),
                (s, l) -> lines.add(l));
        waitFor(() -> lines.contains("started") && processesWith(marker) == 2);
        long canceledAt = System.nanoTime();
        running.cancel();
        running.cancel(); // idempotent
        Outcome outcome = running.await();
        assertThat(outcome.ending()).isEqualTo(Ending.CANCELED);
        waitFor(() -> processesWith(marker) == 0);
        assertThat(Duration.ofNanos(System.nanoTime() - canceledAt)).isLessThan(GRACE.plusSeconds(1));
    }

    @Test
    void aCommandThatExits_leavesNoBackgroundProcessBehind() throws Exception {
        String marker = "4343.4343";
        Outcome outcome = run("sh", "-c", "setsid sleep " + marker + " > /dev/null 2>&1 & echo left");
        assertThat(outcome).isEqualTo(new Outcome(0, Ending.EXITED));
        waitFor(() -> processesWith(marker) == 0);
    }

    @Test
    void aTimeout_endsTheCommand_asTimedOut() throws Exception {
        long start = System.nanoTime();
        Outcome outcome = runner.start(spec(false, Duration.ofMillis(500), 10_000, "sleep", "30"), (s, l) -> { }).await();
        assertThat(outcome.ending()).isEqualTo(Ending.TIMED_OUT);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(500).plus(GRACE).plusSeconds(2));
    }

    @Test
    void tooMuchOutput_endsTheCommand_andNoMoreThanTheLimitIsPassedOn() throws Exception {
        Outcome outcome = runner.start(spec(false, Duration.ofSeconds(30), 10_000, "sh", "-c", "while true; do echo 0123456789; done"),
                (s, l) -> lines.add(l)).await();
        assertThat(outcome.ending()).isEqualTo(Ending.OUTPUT_LIMIT);
        assertThat(lines.stream().mapToInt(l -> l.length() + 1).sum()).isLessThanOrEqualTo(10_000 + 1);
        assertThat(lines.size()).isGreaterThan(800);
    }

    @Test
    void aLineWithoutEnd_isSplitAtTheLineLimit() throws Exception {
        run("sh", "-c", "head -c 40000 /dev/zero | tr '\\0' a");
        assertThat(lines).hasSize(3);
        assertThat(lines.getFirst()).hasSize("stdout:".length() + 16 * 1024);
    }

    @Test
    void forkBombsStopAtTheProcessLimit() throws Exception {
        Outcome outcome = runner.start(new CommandSpec(List.of("sh", "-c", "for i in $(seq 1 30); do sleep 5 & done 2>&1; echo done"),
                checkout, Map.of("PATH", "/usr/bin"), false, Duration.ofSeconds(30), 100_000, 10), (s, l) -> lines.add(l)).await();
        assertThat(outcome.ending()).isEqualTo(Ending.EXITED);
        assertThat(lines).anyMatch(l -> l.contains("Cannot fork")).doesNotContain("done");
    }

    @Test
    void withoutTheSandbox_limitsStillHold() throws Exception {
        SandboxedCommandRunner plain = new SandboxedCommandRunner(settings(SandboxProperties.Mode.NONE), new SimpleMeterRegistry());
        Outcome timedOut = plain.start(spec(false, Duration.ofMillis(300), 10_000, "sleep", "30"), (s, l) -> { }).await();
        assertThat(timedOut.ending()).isEqualTo(Ending.TIMED_OUT);
        Outcome exited = plain.start(spec(false, Duration.ofSeconds(10), 10_000, "sh", "-c", "echo $ONLY; exit 4"), (s, l) -> lines.add(l)).await();
        assertThat(exited).isEqualTo(new Outcome(4, Ending.EXITED));
        assertThat(lines).containsExactly("given");
    }

    /** Live processes whose command line holds the marker, by a look at /proc (the host's view). */
    private static long processesWith(String marker) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).filter(p -> {
                try {
                    String cmdline = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
                    return cmdline.contains(marker) && !cmdline.contains("sh\0-c");
                } catch (IOException e) {
                    return false; // ended meanwhile
                }
            }).count();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(20);
        }
    }
}
