package dev.traceflow.builds.internal;

import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A measurement, not a test (run with {@code -Dtest=SchemaValidationMeasurement}): the schema
 * part of {@code POST /configs/{id}/validate} in-process, a 50-property schema (strings with
 * patterns, integers with ranges, booleans, enums, URIs) against a valid config, the compiled
 * schema taken from the cache as the endpoint does, plus the canonical hash of the config.
 */
class SchemaValidationMeasurement {

    @Test
    void fiftyPropertySchema() {
        BuildsProperties limits = new BuildsProperties(null, java.time.Duration.ofSeconds(30), DataSize.ofMegabytes(512), 20_000,
                DataSize.ofMegabytes(2), DataSize.ofKilobytes(256), 32, 1000, 1_000_000, true);
        SchemaChecker checker = new SchemaChecker(limits);
        ObjectNode schema = CanonicalJson.JSON.createObjectNode().put("type", "object").put("additionalProperties", false);
        ObjectNode props = schema.putObject("properties");
        ObjectNode config = CanonicalJson.JSON.createObjectNode();
        var required = schema.putArray("required");
        for (int i = 0; i < 50; i++) {
            String name = "p" + i;
            required.add(name);
            switch (i % 5) {
                case 0 -> {
                    props.putObject(name).put("type", "string").put("minLength", 1).put("maxLength", 200).put("pattern", "^[a-z0-9-]+$");
                    config.put(name, "value-" + i);
                }
                case 1 -> {
                    props.putObject(name).put("type", "integer").put("minimum", 0).put("maximum", 1000);
                    config.put(name, i);
                }
                case 2 -> {
                    props.putObject(name).put("type", "boolean");
                    config.put(name, true);
                }
                case 3 -> {
                    props.putObject(name).putArray("enum").add("a").add("b").add("c");
                    config.put(name, "b");
                }
                default -> {
                    props.putObject(name).put("type", "string").put("format", "uri");
                    config.put(name, "https://example.com/" + i);
                }
            }
        }
        String schemaText = CanonicalJson.JSON.writeValueAsString(schema);
        String configText = CanonicalJson.JSON.writeValueAsString(config);
        int warmup = 5_000;
        int n = 20_000;
        long[] nanos = new long[n];
        for (int i = 0; i < warmup + n; i++) {
            long t = System.nanoTime();
            // as the endpoint: the stored texts parsed, the compiled schema from the cache, then validation and the hash
            JsonNode s = CanonicalJson.JSON.readTree(schemaText);
            JsonNode c = CanonicalJson.JSON.readTree(configText);
            var problems = checker.validate(checker.compile(s), c);
            String hash = CanonicalJson.sha256(c);
            long took = System.nanoTime() - t;
            assertThat(problems).isEmpty();
            assertThat(hash).hasSize(64);
            if (i >= warmup) {
                nanos[i - warmup] = took;
            }
        }
        Arrays.sort(nanos);
        System.out.printf("MEASURE in-process schema validation + hash, 50 properties, %d runs: p50 %.3f ms, p99 %.3f ms, max %.3f ms%n", n,
                nanos[n / 2] / 1e6, nanos[(int) (n * 0.99)] / 1e6, nanos[n - 1] / 1e6);
    }
}
