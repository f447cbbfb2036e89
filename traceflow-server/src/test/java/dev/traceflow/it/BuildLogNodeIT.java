package dev.traceflow.it;

import dev.traceflow.support.NodeJs;
import dev.traceflow.builds.BuildsFixture;
import dev.traceflow.support.Requirements;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.test.annotation.DirtiesContext;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's build walkthrough, run for real: a repository served on 127.0.0.1, a build triggered
 * and followed over {@code /ws} by the npm {@code ws} client under Node ({@code src/test/node/build-log-follow.test.mjs}),
 * cut off six times while the build writes and resumed from its cursor, ending with exactly lines
 * 1..N and {@code end}; the same lines over REST, then the artifact and the release. Needs Node.js
 * >= 18 and {@code npm ci} in {@code src/test/node}, as {@link RealtimeNodeIT}.
 */
// the in-process ITs share one JVM: this class's server is closed after it (see RealtimeNodeIT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class BuildLogNodeIT extends BuildsFixture {

    static final Path NODE_TESTS = Path.of("src/test/node");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @BeforeEach
    void node() {
        Requirements.require(NodeJs.majorVersion() >= 18, "Node.js >= 18 on the PATH (apt-get install nodejs npm)");
        Requirements.require(Files.isDirectory(NODE_TESTS.resolve("node_modules/ws")),
                "the Node test clients installed: npm ci in traceflow-server/src/test/node");
    }


    @Test
    void aBuildsLogFollowedOverWsUnderNode_withResumesAfterDisconnects_endsWithExactlyItsLines() throws Exception {
        Setup s = setup("lines.sh");
        Map<String, Object> fixture = new LinkedHashMap<>();
        fixture.put("app", s.app());
        fixture.put("token", auth.admin());
        fixture.put("projectId", s.project());
        fixture.put("configId", s.config());

        Path log = Files.createTempFile("build-log-node-", ".log");
        ProcessBuilder pb = new ProcessBuilder(List.of("node", "--test", "--test-reporter=spec", "build-log-follow.test.mjs"))
                .directory(NODE_TESTS.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("TRACEFLOW_URL", "http://127.0.0.1:" + port);
        pb.environment().put("TRACEFLOW_FIXTURE", JSON.writeValueAsString(fixture));
        Process node = pb.start();
        boolean finished = node.waitFor(3, TimeUnit.MINUTES);
        if (!finished) {
            node.destroyForcibly();
        }
        String output = Files.readString(log);
        System.out.println(output);
        assertThat(finished).as("the Node test finished within 3 minutes:\n" + output).isTrue();
        assertThat(node.exitValue()).as("the Node test passed:\n" + output).isZero();
        assertThat(output).containsPattern("(?m)^ℹ pass 1$").containsPattern("(?m)^ℹ fail 0$").containsPattern("(?m)^ℹ skipped 0$");
    }
}
