package dev.traceflow.dashboard;

import dev.traceflow.support.NodeJs;
import dev.traceflow.support.Requirements;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's build log follower ({@code src/main/ui/src/buildlog.js}): no line shown twice, no
 * hole shown, a dropped connection resumed from the last cursor, {@code end} final. Its cases are in
 * {@code src/test/node/dashboard-buildlog.test.mjs}, run here with Node's own test runner against a
 * scripted socket (no server, no browser, no npm package); DashboardBrowserIT shows the same against
 * the real gateway in Chromium.
 */
class BuildLogFollowerScriptTest {

    static final Path NODE_TESTS = Path.of("src/test/node");

    @Test
    void theFollower_showsEveryLineOnce_andResumesFromItsCursor() throws Exception {
        Requirements.require(NodeJs.majorVersion() >= 18, "Node.js >= 18 on the PATH (apt-get install nodejs)");
        Path log = Files.createTempFile("dashboard-buildlog-", ".log");
        Process node = new ProcessBuilder("node", "--test", "--test-reporter=spec", "dashboard-buildlog.test.mjs")
                .directory(NODE_TESTS.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = node.waitFor(2, TimeUnit.MINUTES);
        if (!finished) {
            node.destroyForcibly();
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(finished).as("finished within 2 minutes:\n" + output).isTrue();
        assertThat(node.exitValue()).as(output).isZero();
        assertThat(output).containsPattern("(?m)^ℹ pass 4$").containsPattern("(?m)^ℹ fail 0$").containsPattern("(?m)^ℹ skipped 0$");
    }

}
