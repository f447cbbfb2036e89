package dev.traceflow.builds.internal;

import dev.traceflow.support.TestProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One setting chooses the artifact store; the default needs none, and a type that is no store stops the start. */
class ArtifactStoreSelectionTest {

    @TempDir
    Path dataDir;

    private ArtifactStore select(Map<String, String> settings) {
        Binder binder = new Binder(new MapConfigurationPropertySource(settings));
        return new BuildsConfiguration().artifactStore(
                binder.bindOrCreate("traceflow.builds.artifacts", ArtifactStoreProperties.class),
                binder.bindOrCreate("traceflow.builds.queue", BuildQueueProperties.class),
                TestProperties.of(Map.of("traceflow.data-dir", dataDir.toString())), new SimpleMeterRegistry());
    }

    @Test
    void withoutSettings_artifactsGoUnderTheDataDir() throws Exception {
        ArtifactStore store = select(Map.of());
        Path archive = Files.writeString(dataDir.resolve("a.tar.gz"), "archive");
        String build = UUID.randomUUID().toString();
        assertThat(store.put(build, archive, ArtifactPackager.sha256(archive), Files.size(archive))).startsWith("local:");
        assertThat(dataDir.resolve("builds/artifacts").resolve(build).resolve("artifact.tar.gz")).hasContent("archive");
    }

    @Test
    void anUnknownType_orS3WithoutABucket_stopsTheStart_withoutShowingTheSecret() {
        assertThatThrownBy(() -> select(Map.of("traceflow.builds.artifacts.type", "ftp")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("must be local or s3, not 'ftp'");
        assertThatThrownBy(() -> select(Map.of("traceflow.builds.artifacts.type", "s3", "traceflow.builds.artifacts.secret-key", "hunter2-secret")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("bucket is required")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2-secret"));
    }
}
