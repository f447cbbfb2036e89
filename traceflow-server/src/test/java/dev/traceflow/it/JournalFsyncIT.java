package dev.traceflow.it;

import dev.traceflow.support.Requirements;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The journal's real file code forces what it wrote before the server answers 202: the server
 * runs under {@code strace}, a client sends requests one after the other, and in the system calls
 * every {@code HTTP/1.1 202} written to a socket must come after an {@code fdatasync} (or
 * {@code fsync}) of the journal file that follows the journal's last write. Removing the force
 * from {@code FileJournalFiles} fails this test; {@code JournalPowerLossTest} covers the
 * journal's own force calls on a simulated disk.
 */
class JournalFsyncIT {

    private static final Pattern CALL = Pattern.compile("^(\\d+)\\s+(\\w+)\\((.*)$");
    private static final Pattern RESUMED = Pattern.compile("^(\\d+)\\s+<\\.\\.\\. (\\w+) resumed>(.*)$");
    private static final Pattern RESULT = Pattern.compile("=\\s+(-?\\d+)");
    private static final Pattern JOURNAL_PATH = Pattern.compile("\"[^\"]*/journal/\\d{20}\\.journal\"");

    @TempDir
    Path dir;

    private Process strace;

    @AfterEach
    void stop() {
        if (strace != null) {
            strace.descendants().forEach(ProcessHandle::destroyForcibly);
            strace.destroyForcibly();
        }
    }

    @Test
    void every202_isWrittenAfterTheJournalWasForced() throws Exception {
        Requirements.require(Files.isExecutable(Path.of("/usr/bin/strace")), "strace at /usr/bin/strace (apt-get install strace)");

        Path trace = dir.resolve("strace.txt");
        int port = ServerProcesses.freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        Path jar = Path.of("target/traceflow-server.jar").toAbsolutePath();
        assertThat(jar).exists();
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/strace", "-f", "-qq", "--seccomp-bpf", "-e", "signal=none",
                "-e", "trace=openat,close,write,writev,pwrite64,fdatasync,fsync", "-s", "48", "-o", trace.toString(),
                java, "--enable-native-access=ALL-UNNAMED", "-Xmx512m", "-jar", jar.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile()));
        pb.environment().put("SERVER_PORT", Integer.toString(port));
        pb.environment().put("TRACEFLOW_DATA_DIR", dir.resolve("data").toString());
        pb.environment().put("TRACEFLOW_BOOTSTRAP_INGEST_KEY", "fsync-test-key-0123");
        strace = pb.start();
        TestHttp http = new TestHttp("http://127.0.0.1:" + port);
        ServerProcesses.awaitHealthy(strace, http, dir.resolve("server.log"), Duration.ofSeconds(180));

        int requests = 25;
        long now = System.currentTimeMillis();
        for (int i = 0; i < requests; i++) {
            String body = "[{\"appId\":\"demo\",\"type\":\"pageview\",\"timestamp\":" + now + ",\"eventId\":\"fsync-" + i + "\"}]";
            TestHttp.Response r = http.post("/api/collect/batch", body, "Content-Type", "application/json",
                    "X-TraceFlow-Key", "fsync-test-key-0123");
            assertThat(r.status()).as(r.toString()).isEqualTo(202);
        }
        strace.descendants().forEach(ProcessHandle::destroy); // SIGTERM to the server; strace follows it out
        assertThat(strace.waitFor(60, TimeUnit.SECONDS)).isTrue();

        Verdict verdict = check(Files.readAllLines(trace));
        assertThat(verdict.answers202()).as("the 202s the client got are in the trace").isGreaterThanOrEqualTo(requests);
        assertThat(verdict.journalWrites()).as("journal writes seen").isGreaterThanOrEqualTo(requests);
        assertThat(verdict.journalForces()).as("journal forces seen").isGreaterThanOrEqualTo(requests);
        assertThat(verdict.unforcedAnswers()).as("202s written while the journal had unforced bytes").isEmpty();
    }

    record Verdict(int answers202, int journalWrites, int journalForces, List<String> unforcedAnswers) {
    }

    /**
     * Walks the trace in order: a journal write (at its start) leaves the journal unforced until
     * an fdatasync or fsync of a journal file returns; a 202 written (at its start) while unforced
     * is a violation. File descriptors are process-wide, so they are tracked across threads.
     */
    static Verdict check(List<String> lines) {
        Set<String> journalFds = new HashSet<>();
        Map<String, String> unfinished = new HashMap<>(); // thread -> "call fd"
        boolean unforced = false;
        int answers = 0;
        int writes = 0;
        int forces = 0;
        List<String> violations = new ArrayList<>();
        for (String line : lines) {
            Matcher resumed = RESUMED.matcher(line);
            if (resumed.matches()) {
                String pending = unfinished.remove(resumed.group(1));
                if (pending != null && pending.startsWith("force ") && succeeded(resumed.group(3))
                        && journalFds.contains(pending.substring(6))) {
                    unforced = false;
                    forces++;
                } else if (pending != null && pending.startsWith("open ")) {
                    Matcher result = RESULT.matcher(resumed.group(3));
                    if (result.find() && !result.group(1).startsWith("-")) {
                        journalFds.add(result.group(1));
                    }
                }
                continue;
            }
            Matcher call = CALL.matcher(line);
            if (!call.matches()) {
                continue;
            }
            String thread = call.group(1);
            String name = call.group(2);
            String rest = call.group(3);
            boolean finished = !rest.contains("<unfinished ...>");
            String fd = rest.split("[,)\\s]", 2)[0];
            switch (name) {
                case "openat" -> {
                    if (JOURNAL_PATH.matcher(rest).find()) {
                        if (finished) {
                            Matcher result = RESULT.matcher(rest);
                            if (result.find() && !result.group(1).startsWith("-")) {
                                journalFds.add(result.group(1));
                            }
                        } else {
                            unfinished.put(thread, "open ");
                        }
                    }
                }
                case "close" -> journalFds.remove(fd);
                case "write", "writev", "pwrite64" -> {
                    if (journalFds.contains(fd)) {
                        unforced = true;
                        writes++;
                    } else if (rest.contains("HTTP/1.1 202")) {
                        answers++;
                        if (unforced) {
                            violations.add(line);
                        }
                    }
                }
                case "fdatasync", "fsync" -> {
                    if (finished) {
                        if (journalFds.contains(fd) && succeeded(rest)) {
                            unforced = false;
                            forces++;
                        }
                    } else {
                        unfinished.put(thread, "force " + fd);
                    }
                }
                default -> {
                }
            }
        }
        return new Verdict(answers, writes, forces, violations);
    }

    private static boolean succeeded(String rest) {
        Matcher result = RESULT.matcher(rest);
        return result.find() && result.group(1).equals("0");
    }

    @Test
    void check_findsA202WrittenBeforeTheForce() throws IOException {
        List<String> forced = List.of(
                "100 openat(AT_FDCWD, \"/d/journal/00000000000000000000.journal\", O_RDWR|O_CREAT, 0666) = 40",
                "101 writev(40, [{iov_base=\"\\0\\0\\0\", iov_len=60}], 1) = 60",
                "101 fdatasync(40 <unfinished ...>",
                "102 write(55, \"HTTP/1.1 200 \\r\\n\", 40) = 40",
                "101 <... fdatasync resumed>) = 0",
                "103 write(56, \"HTTP/1.1 202 \\r\\nVary: Origin\\r\\n\"..., 200) = 200");
        assertThat(check(forced)).isEqualTo(new Verdict(1, 1, 1, List.of()));

        List<String> early = List.of(forced.get(0), forced.get(1), forced.get(5), forced.get(2), forced.get(4));
        assertThat(check(early).unforcedAnswers()).containsExactly(forced.get(5));
    }
}
