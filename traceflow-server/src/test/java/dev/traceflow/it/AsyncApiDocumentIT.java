package dev.traceflow.it;

import dev.traceflow.support.Requirements;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The realtime gateway's AsyncAPI document ({@code /asyncapi.yaml}, from
 * {@code src/main/resources/realtime/asyncapi.yaml}) is valid AsyncAPI: the AsyncAPI project's own
 * parser (npm {@code @asyncapi/parser}, with its schema and rules) finds no error and no warning.
 * Needs Node and {@code npm ci} in {@code src/test/asyncapi} ({@code .ci/run} does both). That the
 * document matches the message classes is {@code AsyncApiDocumentTest}'s part.
 */
class AsyncApiDocumentIT {

    static final Path CHECKER = Path.of("src/test/asyncapi");
    static final Path DOCUMENT = Path.of("src/main/resources/realtime/asyncapi.yaml");

    @Test
    void theDocumentIsValidAsyncApi_byTheAsyncApiParser() throws Exception {
        Requirements.require(Files.isDirectory(CHECKER.resolve("node_modules/@asyncapi/parser")),
                "the AsyncAPI parser installed: npm ci in traceflow-server/src/test/asyncapi (Node >= 18)");
        Process node = new ProcessBuilder("node", "validate.mjs", DOCUMENT.toAbsolutePath().toString())
                .directory(CHECKER.toFile()).redirectErrorStream(true).start();
        String output = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(node.waitFor(2, TimeUnit.MINUTES)).as(output).isTrue();
        assertThat(node.exitValue()).as(output).isZero();
        assertThat(output).contains("VALID: AsyncAPI 3.1.0, 17 messages, 6 operations");
    }
}
