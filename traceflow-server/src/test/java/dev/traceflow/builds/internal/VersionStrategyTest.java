package dev.traceflow.builds.internal;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VersionStrategyTest {

    private static SourceVersion tag(String name, String commit, boolean usable) {
        return new SourceVersion(name, "src", "tag", name, commit, null, null, usable, Instant.EPOCH);
    }

    private static final List<SourceVersion> VERSIONS = List.of(
            tag("v1.0.0", "a".repeat(40), true),
            tag("v1.2.0", "b".repeat(40), true),
            tag("v1.3.1", "c".repeat(40), true),
            tag("v1.4.0", "d".repeat(40), false),
            tag("v2.0.0-rc.1", "e".repeat(40), true),
            tag("release-x", "f".repeat(40), true),
            new SourceVersion("c1", "src", "commit", "1234567" + "0".repeat(33), "1234567" + "0".repeat(33), null, null, true, Instant.EPOCH));

    private static JsonNode json(String s) {
        return CanonicalJson.JSON.readTree(s);
    }

    private static String resolve(String strategy) {
        VersionStrategy.Resolution r = VersionStrategy.parse(json(strategy)).resolve(VERSIONS);
        return r.version() == null ? "problem: " + r.problem() : r.version().tagOrCommit();
    }

    @Test
    void latestStable_isTheHighestUsableSemverTagThatIsNoPreRelease() {
        assertThat(resolve("{\"type\":\"latest-stable\"}")).isEqualTo("v1.3.1");
    }

    @Test
    void range_takesTheHighestUsableMatch() {
        assertThat(resolve("{\"type\":\"range\",\"range\":\"^1.2\"}")).isEqualTo("v1.3.1");
        assertThat(resolve("{\"type\":\"range\",\"range\":\"~1.2.0\"}")).isEqualTo("v1.2.0");
        assertThat(resolve("{\"type\":\"range\",\"range\":\">=1.0.0 <1.2.0\"}")).isEqualTo("v1.0.0");
        assertThat(resolve("{\"type\":\"range\",\"range\":\"^3\"}")).startsWith("problem: no usable tag matches");
    }

    @Test
    void fixed_takesATagOrACommitPrefix_butNeverAnUnusableOne() {
        assertThat(resolve("{\"type\":\"fixed\",\"ref\":\"release-x\"}")).isEqualTo("release-x");
        assertThat(resolve("{\"type\":\"fixed\",\"ref\":\"1234567\"}")).startsWith("1234567");
        assertThat(resolve("{\"type\":\"fixed\",\"ref\":\"v1.4.0\"}")).contains("unusable");
        assertThat(resolve("{\"type\":\"fixed\",\"ref\":\"v9.9.9\"}")).contains("no registered version");
    }

    @Test
    void parse_refusesBadStrategies() {
        for (String bad : List.of("{}", "{\"type\":\"newest\"}", "{\"type\":\"fixed\"}", "{\"type\":\"fixed\",\"ref\":\"--upload-pack=x\"}",
                "{\"type\":\"range\",\"range\":\"^1.2; rm -rf\"}", "{\"type\":\"range\"}", "{\"type\":\"fixed\",\"ref\":\"v1\",\"x\":1}",
                "[]")) {
            assertThatThrownBy(() -> VersionStrategy.parse(json(bad))).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void toJson_roundTrips() {
        for (String s : List.of("{\"type\":\"fixed\",\"ref\":\"v1.0.0\"}", "{\"type\":\"latest-stable\"}", "{\"type\":\"range\",\"range\":\"^1.2\"}")) {
            assertThat(VersionStrategy.parse(json(s)).toJson()).isEqualTo(json(s));
        }
    }
}
