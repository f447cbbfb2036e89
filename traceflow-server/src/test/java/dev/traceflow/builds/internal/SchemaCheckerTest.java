package dev.traceflow.builds.internal;

import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchemaCheckerTest {

    private final SchemaChecker checker = new SchemaChecker(new BuildsProperties(null, Duration.ofSeconds(30), DataSize.ofMegabytes(512),
            20_000, DataSize.ofMegabytes(2), DataSize.ofKilobytes(256), 32, 1000, 1_000_000, true));

    private static final String SCHEMA = """
            {"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "pattern": "^[a-z]+$"}}}""";

    @Test
    void storedSchema_isCompiledOnceAndValidatesAsTheTreeFormDoes() {
        var stored = checker.compileStored(SCHEMA);

        assertThat(checker.compileStored(SCHEMA)).isSameAs(stored);
        assertThat(checker.validate(stored, CanonicalJson.JSON.readTree("{\"name\": \"shop\"}"))).isEmpty();
        assertThat(checker.validate(stored, CanonicalJson.JSON.readTree("{\"name\": \"Shop 1\"}")))
                .extracting(Problem::pointer).containsExactly("/name");
        assertThat(checker.validate(stored, CanonicalJson.JSON.readTree("{}")))
                .isEqualTo(checker.validate(checker.compile(CanonicalJson.JSON.readTree(SCHEMA)), CanonicalJson.JSON.readTree("{}")));
    }

    @Test
    void storedSchema_thatIsRefused_isRefusedEveryTime() {
        String remoteRef = "{\"$ref\": \"https://example.com/schema.json\"}";

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> checker.compileStored(remoteRef)).isInstanceOf(SchemaChecker.BadSchema.class)
                    .hasMessageContaining("remote $refs are never fetched");
        }
        assertThatThrownBy(() -> checker.compileStored("{\"type\": ")).isInstanceOf(SchemaChecker.BadSchema.class)
                .hasMessageContaining("not JSON");
    }
}
