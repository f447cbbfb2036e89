package dev.traceflow.benchmark;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The realtime benchmark's load generator ({@code realtime/load.mjs} and its clients, {@code connections.mjs}):
 * the hand-written Engine.IO client reads what socket.io-client reads, and a short run with either client
 * against the reference Node server counts deliveries with no loss, duplicate or disorder and reads both
 * processes' CPU. The cases are in {@code realtime/connections.test.mjs}, run with Node's own test runner;
 * skipped where Node or the folder's {@code npm ci} is missing, as realtime-bench.sh needs both, except under
 * {@code CI=true}, where {@code .ci/run} installs them and a missing one fails the test instead.
 */
class LoadGeneratorScriptTest {

    private static final Path NODE_DIR = Path.of("realtime");

    @Test
    void bothClients_countEveryDelivery_andTheRawOneReadsWhatSocketIoClientReads() throws Exception {
        need(nodeMajorVersion() >= 18, "Node.js >= 18 on the PATH");
        need(Files.isDirectory(NODE_DIR.resolve("node_modules/socket.io-client")), "npm ci in traceflow-benchmark/realtime");
        Path log = Files.createTempFile("realtime-load-", ".log");
        Process node = new ProcessBuilder("node", "--test", "--test-reporter=spec", "connections.test.mjs")
                .directory(NODE_DIR.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = node.waitFor(2, TimeUnit.MINUTES);
        if (!finished) {
            node.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(finished).as("finished within 2 minutes:\n" + output).isTrue();
        assertThat(node.exitValue()).as(output).isZero();
        assertThat(output).containsPattern("(?m)^ℹ pass 4$").containsPattern("(?m)^ℹ fail 0$").containsPattern("(?m)^ℹ skipped 0$");
    }

    /** Skips without what the test needs, but fails under CI, which must have run every test. */
    private static void need(boolean present, String what) {
        if ("true".equals(System.getenv("CI"))) {
            assertThat(present).as(what + " (.ci/run installs it)").isTrue();
        } else {
            assumeTrue(present, what);
        }
    }

    private static int nodeMajorVersion() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && out.startsWith("v")
                    ? Integer.parseInt(out.substring(1, out.indexOf('.'))) : 0;
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }
}
